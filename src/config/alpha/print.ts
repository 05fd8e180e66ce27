import { formatDuration } from '../duration.js'
import type { HeaderInjection, SecretSource, ServerConfig, StructuredConfig, UpstreamEntry } from './types.js'
import { toYaml } from './yaml-text.js'

type Plain = Record<string, unknown>

/** Drops empty strings, empty lists and empty mappings, as the `omitempty` tags of oauth2-proxy's structs. */
function compact(o: Plain): Plain {
  const out: Plain = {}
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined || value === '') continue
    if (Array.isArray(value) && value.length === 0) continue
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue
    out[key] = value
  }
  return out
}

function secret(source: SecretSource | undefined): Plain | undefined {
  if (source === undefined) return undefined
  return compact({ value: source.value, fromEnv: source.fromEnv, fromFile: source.fromFile })
}

function upstream(u: UpstreamEntry): Plain {
  const common = compact({ id: u.id, path: u.path, rewriteTarget: u.rewriteTarget, uri: u.uri })
  if (u.static) return { ...common, static: true, staticCode: u.staticCode }
  return {
    ...common,
    insecureSkipTLSVerify: u.insecureSkipTLSVerify,
    flushInterval: formatDuration(u.flushInterval),
    passHostHeader: u.passHostHeader,
    proxyWebSockets: u.proxyWebSockets,
    timeout: formatDuration(u.timeout),
    disableKeepAlives: u.disableKeepAlives,
  }
}

function header(h: HeaderInjection): Plain {
  return {
    name: h.name,
    preserveRequestValue: h.preserveRequestValue,
    ...(h.insecureSkipHeaderNormalization ? { InsecureSkipHeaderNormalization: true } : {}),
    values: h.values.map((v) =>
      v.secretSource !== undefined
        ? { secretSource: secret(v.secretSource) }
        : { claimSource: compact({ claim: v.claimSource?.claim, prefix: v.claimSource?.prefix, basicAuthPassword: secret(v.claimSource?.basicAuthPassword) }) },
    ),
  }
}

function server(s: ServerConfig): Plain {
  const tls = s.tls === undefined ? undefined : compact({ key: secret(s.tls.key), cert: secret(s.tls.cert), minVersion: s.tls.minVersion, cipherSuites: s.tls.cipherSuites })
  return compact({ bindAddress: s.bindAddress, secureBindAddress: s.secureBindAddress, tls })
}

/**
 * The structured form as an alpha YAML file (`--convert-config-to-alpha`), keys sorted as oauth2-proxy prints them.
 * Durations are written as Go duration strings and secret values as text; both load back unchanged.
 */
export function printAlpha(s: StructuredConfig): string {
  const providers = s.providers.map((p) => {
    const { loginURLParameters, ...rest } = p
    const blocks = Object.fromEntries(
      Object.entries(rest).map(([key, value]) => [key, value !== null && typeof value === 'object' && !Array.isArray(value) ? compact(value as Plain) : value]),
    )
    return compact({
      ...blocks,
      useSystemTrustStore: p.useSystemTrustStore,
      skipClaimsFromProfileURL: p.skipClaimsFromProfileURL,
      loginURLParameters: loginURLParameters.map((param) => compact({ name: param.name, default: param.default, allow: param.allow.map((r) => compact({ ...r })) })),
    })
  })
  return toYaml(
    compact({
      upstreamConfig: { proxyRawPath: s.upstreamConfig.proxyRawPath, ...compact({ upstreams: s.upstreamConfig.upstreams.map(upstream) }) },
      injectRequestHeaders: s.injectRequestHeaders.map(header),
      injectResponseHeaders: s.injectResponseHeaders.map(header),
      server: server(s.server),
      metricsServer: server(s.metricsServer),
      providers,
    }),
  )
}
