import type { ConfigIssue } from '../../errors.js'
import type { OptionValue } from '../option-meta.js'
import { optionByKey } from '../schema.js'
import { displayOf, type Layer } from '../setting.js'
import { REPLACED_BY_ALPHA } from './replaced.js'
import type { ProviderBlock, SecretSource, ServerConfig } from './types.js'

/** Names an alpha path for messages: `FILE:LINE:COL PATH`. */
export type LabelOf = (path: string) => string

/** Provider field path (below `providers[i].`) → Config key, from the table of replaced options. */
const PROVIDER_FIELDS: ReadonlyMap<string, string> = new Map(
  [...REPLACED_BY_ALPHA]
    .filter(([key, field]) => field.startsWith('providers[].') && !field.includes(' ') && key !== 'forceCodeChallengeMethod')
    .map(([key, field]) => [field.slice('providers[].'.length), key]),
)

/** The legacy options `loginURLParameters` replaces; the providers read the parameters from the block itself. */
const PARAMETER_KEYS = ['prompt', 'approvalPrompt', 'acrValues'] as const

function set(layer: Layer, key: string, value: OptionValue, label: string): void {
  const meta = optionByKey.get(key)
  if (meta === undefined) throw new Error(`no option ${key}`)
  layer.set(key, { value, label, display: displayOf(meta, value) })
}

function defaultOf(key: string): OptionValue {
  const meta = optionByKey.get(key)
  if (meta === undefined) throw new Error(`no option ${key}`)
  return meta.default
}

function isSet(value: unknown): value is OptionValue {
  if (typeof value === 'string') return value !== ''
  if (Array.isArray(value)) return value.length > 0
  return value === true
}

/**
 * The legacy settings one provider block stands for, labelled with its alpha path, so the existing option checks
 * (values, files, cross-field rules, "not supported yet") apply to it.
 */
export function providerLayer(block: ProviderBlock, index: number, labelOf: LabelOf): { layer: Layer; issues: ConfigIssue[] } {
  const at = `providers[${index}]`
  const layer: Layer = new Map()
  const issues: ConfigIssue[] = []
  for (const [field, key] of PROVIDER_FIELDS) {
    const dot = field.indexOf('.')
    if (dot === -1) {
      const value = (block as unknown as Record<string, unknown>)[field]
      set(layer, key, isSet(value) ? value : defaultOf(key), labelOf(`${at}.${field}`))
      continue
    }
    const sub = (block as unknown as Record<string, Readonly<Record<string, unknown>>>)[field.slice(0, dot)] ?? {}
    const value = sub[field.slice(dot + 1)]
    // Unset fields keep the option's default, labelled with their alpha path so messages point into the file.
    set(layer, key, value === undefined ? defaultOf(key) : (value as OptionValue), labelOf(`${at}.${field}`))
  }
  // loginURLParameters, additionalClaims and ADFSConfig.skipScope stand for no legacy option: the runtime reads them
  // from the block (ProviderEntry.block). Legacy prompt options stay empty, so nothing but the block is sent.
  for (const key of PARAMETER_KEYS) set(layer, key, '', labelOf(`${at}.loginURLParameters`))
  return { layer, issues }
}

/** The metrics listener reads its certificate and key from files (`--metrics-tls-cert-file`, `--metrics-tls-key-file`). */
function fileOf(source: SecretSource | undefined, path: string, labelOf: LabelOf, issues: ConfigIssue[]): string {
  if (source === undefined) return ''
  if (source.fromFile === undefined) issues.push({ option: labelOf(path), message: 'gatehouse reads the metrics certificate and key from files: use fromFile' })
  return source.fromFile ?? ''
}

function enabled(address: string): boolean {
  return address !== '' && address !== '-'
}

/**
 * The legacy listener settings `server` and `metricsServer` stand for. As in oauth2-proxy's alpha config, `server`
 * runs plain HTTP on bindAddress and HTTPS on secureBindAddress, both when both are set; the certificate and key
 * stay in the structured form (config/listeners.ts reads them), checked when the file was built.
 */
export function serverLayer(server: ServerConfig, metrics: ServerConfig, labelOf: LabelOf): { layer: Layer; issues: ConfigIssue[] } {
  const layer: Layer = new Map()
  const issues: ConfigIssue[] = []
  // oauth2-proxy's NewOptions has no bind address: without server.bindAddress no plain HTTP listener starts.
  set(layer, 'httpAddress', enabled(server.bindAddress) ? server.bindAddress : '', labelOf('server.bindAddress'))
  if (enabled(server.secureBindAddress)) {
    set(layer, 'httpsAddress', server.secureBindAddress, labelOf('server.secureBindAddress'))
    if (server.tls !== undefined) {
      set(layer, 'tlsMinVersion', server.tls.minVersion, labelOf('server.tls.minVersion'))
      set(layer, 'tlsCipherSuites', server.tls.cipherSuites, labelOf('server.tls.cipherSuites'))
    }
  }
  set(layer, 'metricsAddress', enabled(metrics.bindAddress) ? metrics.bindAddress : '', labelOf('metricsServer.bindAddress'))
  if (enabled(metrics.secureBindAddress)) {
    set(layer, 'metricsSecureAddress', metrics.secureBindAddress, labelOf('metricsServer.secureBindAddress'))
    set(layer, 'metricsTlsCertFile', fileOf(metrics.tls?.cert, 'metricsServer.tls.cert', labelOf, issues), labelOf('metricsServer.tls.cert'))
    set(layer, 'metricsTlsKeyFile', fileOf(metrics.tls?.key, 'metricsServer.tls.key', labelOf, issues), labelOf('metricsServer.tls.key'))
  }
  return { layer, issues }
}
