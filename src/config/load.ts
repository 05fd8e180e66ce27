import { accessSync, constants, readFileSync } from 'node:fs'
import type { core } from 'zod'
import { cookieSecretProblem } from '../crypto/cookie-secret.js'
import { ConfigError, type ConfigIssue } from '../errors.js'
import { templatesProblem } from '../pages/custom-templates.js'
import { logoProblem } from '../pages/logo.js'
import { VERSION } from '../version.js'
import { loadAlphaFile, type AlphaFileResult } from './alpha/load-alpha.js'
import { printAlpha } from './alpha/print.js'
import { REPLACED_BY_ALPHA } from './alpha/replaced.js'
import { providerLayer, serverLayer } from './alpha/to-settings.js'
import type { StructuredConfig } from './alpha/types.js'
import { parseArgv } from './argv.js'
import { attachRoutes, routesFromRaw } from './routes.js'
import { attachSites, sitesFromRaw } from './sites.js'
import { renderHelp } from './help.js'
import { identityProblems } from './identity-checks.js'
import { reloadableFiles } from './files.js'
import { applyDeprecatedOptions } from './legacy.js'
import { legacyProviderId } from './alpha/from-legacy.js'
import { attachProviderEntries, structuredOf, type ProviderEntry } from './provider-entries.js'
import { configSchema, optionByKey, type Config } from './schema.js'
import type { Layer, LayerResult } from './setting.js'
import { envLayer, fileLayer, flagLayer } from './sources.js'
import { tracingSettings, type TracingSettings } from './tracing-settings.js'

/** What the process was asked for: help, the version, the alpha YAML of the options, or a run with a valid configuration. */
export type LoadResult =
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  | { kind: 'convert'; text: string }
  | {
      kind: 'config'
      config: Config
      warnings: string[]
      configTest: boolean
      /** The files a reload reads again (the cfg file, the alpha file and those the options name): what `--watch-config` watches. */
      files: string[]
      /** `--otel-*` and the standard `OTEL_*` variables: tracing is on when an OTLP endpoint is set. */
      tracing: TracingSettings | undefined
    }

/** The process's command line (without node and the script) and environment. */
export interface LoadInput {
  argv: readonly string[]
  env: Readonly<Record<string, string | undefined>>
}

function fileError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'it is a directory, not a file'
  return (err as Error).message
}

function readCfgFile(path: string): LayerResult {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    return { layer: new Map(), issues: [{ option: '--config', value: path, message: `cannot read the config file: ${fileError(err)}` }], warnings: [] }
  }
  return fileLayer(path, text)
}

/** Reads `cookie_secret_file` / `client_secret_file` verbatim (no trimming, as oauth2-proxy) when the secret itself is empty. */
function readSecretFile(merged: Layer, secretKey: string, fileKey: string, what: string, issues: ConfigIssue[], warnings: string[]): void {
  const secret = merged.get(secretKey)
  const file = merged.get(fileKey)
  if (file === undefined || file.value === '' || (secret !== undefined && secret.value !== '')) return
  const path = file.value as string
  let content: string
  try {
    content = readFileSync(path, 'utf8')
  } catch (err) {
    issues.push({ option: file.label, value: path, message: `cannot read the ${what} file: ${fileError(err)}` })
    return
  }
  if (content === '') {
    issues.push({ option: file.label, value: path, message: `the ${what} file is empty` })
    return
  }
  // A padded base64url secret plus the newline `echo` adds no longer decodes, in oauth2-proxy too: say why.
  if (secretKey === 'cookieSecret' && cookieSecretProblem(content) !== undefined && cookieSecretProblem(content.replace(/[\r\n]+$/, '')) === undefined) {
    issues.push({
      option: file.label,
      value: path,
      message: "the file ends with a line break, which is read as part of the cookie secret and makes it invalid: write it without one (printf '%s' \"$SECRET\" > FILE)",
    })
    return
  }
  // oauth2-proxy sends a client secret file's trailing newline as part of the secret; the IdP then refuses it.
  if (secretKey === 'clientSecret' && /[\r\n]$/.test(content)) {
    warnings.push(`${file.label}: ${path} ends with a line break, which is sent as part of the client secret`)
  }
  merged.set(secretKey, { value: content, label: file.label, display: path })
}

/** Files the supported options read at start-up must exist and be readable. */
const FILE_OPTIONS = ['tlsCertFile', 'tlsKeyFile', 'authenticatedEmailsFile', 'providerCaFiles', 'oidcPublicKeyFiles'] as const

function checkFilesReadable(merged: Layer, issues: ConfigIssue[]): void {
  for (const key of FILE_OPTIONS) {
    const setting = merged.get(key)
    if (setting === undefined) continue
    const paths = Array.isArray(setting.value) ? (setting.value as readonly string[]) : [setting.value as string]
    paths.forEach((path, i) => {
      if (path === '') return
      try {
        accessSync(path, constants.R_OK)
      } catch (err) {
        issues.push({ option: setting.itemLabels?.[i] ?? setting.label, value: path, message: `cannot read the file: ${fileError(err)}` })
      }
    })
  }
}

/** `--custom-templates-dir` and `--custom-sign-in-logo` are read, parsed and checked at start, like oauth2-proxy. */
function checkPageFiles(merged: Layer, issues: ConfigIssue[]): void {
  for (const [key, problemOf] of [['customTemplatesDir', templatesProblem], ['customSignInLogo', logoProblem]] as const) {
    const setting = merged.get(key)
    if (setting === undefined || setting.value === '') continue
    const message = problemOf(String(setting.value))
    if (message !== undefined) issues.push({ option: setting.label, value: String(setting.value), message })
  }
}

/** Maps a zod issue back to the option as the user wrote it, never showing a secret. */
function toConfigIssue(issue: core.$ZodIssue, merged: Layer): ConfigIssue {
  const key = String(issue.path[0] ?? '')
  const index = typeof issue.path[1] === 'number' ? issue.path[1] : undefined
  const meta = optionByKey.get(key)
  if (meta === undefined) return { option: 'configuration', message: issue.message }
  const setting = merged.get(key)
  let option = setting?.label ?? `--${meta.flag}`
  let value = setting?.display
  if (index !== undefined && setting !== undefined) {
    option = setting.itemLabels?.[index] ?? setting.label
    value = meta.secret ? undefined : (setting.value as readonly string[])[index]
  }
  return value === undefined ? { option, message: issue.message } : { option, value, message: issue.message }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** With `--alpha-config`, the options the file replaces are refused on the command line and in the cfg file. */
function refuseReplaced(source: LayerResult, issues: ConfigIssue[], fromEnv: boolean): void {
  for (const [key, setting] of source.layer) {
    const field = REPLACED_BY_ALPHA.get(key)
    if (field === undefined) continue
    source.layer.delete(key)
    // oauth2-proxy ignores these variables with an alpha file; they often feed its ${VAR} references.
    if (!fromEnv) issues.push({ option: setting.label, message: `not available with --alpha-config: set ${field} in the alpha file instead` })
  }
}

/** Reads the secret and listed files, then validates the merged settings; every problem goes to `issues`. */
function parseMerged(merged: Layer, env: LoadInput['env'], issues: ConfigIssue[], warnings: string[]): Config | undefined {
  readSecretFile(merged, 'cookieSecret', 'cookieSecretFile', 'cookie secret', issues, warnings)
  readSecretFile(merged, 'clientSecret', 'clientSecretFile', 'client secret', issues, warnings)
  checkFilesReadable(merged, issues)
  checkPageFiles(merged, issues)
  const parsed = configSchema.safeParse(Object.fromEntries([...merged].map(([key, setting]) => [key, setting.value])))
  if (!parsed.success) {
    issues.push(...parsed.error.issues.map((issue) => toConfigIssue(issue, merged)))
    return undefined
  }
  issues.push(...identityProblems(parsed.data, env, warnings))
  return parsed.data
}

/** The alpha file on top of the core options: listeners, then one validated settings view per provider. */
function loadWithAlpha(alpha: AlphaFileResult, merged: Layer, env: LoadInput['env'], issues: ConfigIssue[], warnings: string[]): { config: Config; entries: ProviderEntry[] } | undefined {
  issues.push(...alpha.issues)
  const structured = alpha.structured
  if (structured === undefined) return undefined
  const servers = serverLayer(structured.server, structured.metricsServer, alpha.labelOf)
  issues.push(...servers.issues)
  for (const [key, setting] of servers.layer) merged.set(key, setting)
  const entries: ProviderEntry[] = []
  structured.providers.forEach((block, i) => {
    const provider = providerLayer(block, i, alpha.labelOf)
    issues.push(...provider.issues)
    const view: Layer = new Map(merged)
    for (const [key, setting] of provider.layer) view.set(key, setting)
    const settings = parseMerged(view, env, issues, warnings)
    if (settings !== undefined) entries.push({ id: block.id, name: block.name, settings: deepFreeze(settings), block })
  })
  const first = entries[0]
  if (first === undefined) {
    if (structured.providers.length === 0) parseMerged(merged, env, issues, warnings)
    return undefined
  }
  return { config: withStructured(first.settings, structured), entries }
}

function withStructured(config: Config, structured: StructuredConfig): Config {
  return { ...config, structured }
}

/** Issues repeated by several provider views (the same core option checked once per provider) are listed once. */
/** The upstream and provider ids routes and sites may name: every upstream's id and every provider's id as written. */
function knownIds(config: Config, alpha: AlphaFileResult | undefined): { upstreams: ReadonlySet<string>; providers: ReadonlySet<string> } {
  const providers = alpha?.structured === undefined || alpha.extensionsOnly ? [legacyProviderId(config)] : alpha.structured.providers.map((p) => p.id)
  return {
    upstreams: new Set(structuredOf(config).upstreamConfig.upstreams.map((u) => u.id)),
    providers: new Set(providers),
  }
}

function unique(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.option, issue.value, issue.message])
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Loads the configuration oauth2-proxy's way: flags > OAUTH2_PROXY_* env > `--config` TOML file > defaults, then
 * reads secret files and validates everything; with `--alpha-config` the YAML file supplies upstreams, injected
 * headers, listeners and providers instead. Throws one ConfigError listing every problem; the config is deep-frozen.
 */
export function loadConfig(input: LoadInput): LoadResult {
  const cli = parseArgv(input.argv)
  if (cli.help) return { kind: 'help', text: renderHelp() }
  if (cli.version) return { kind: 'version', text: `gatehouse ${VERSION}` }

  const file = cli.configFile === undefined ? undefined : readCfgFile(cli.configFile)
  const env = envLayer(input.env)
  const flags = flagLayer(cli.occurrences)
  const sources = [file, env, flags].filter((s): s is LayerResult => s !== undefined)
  const issues: ConfigIssue[] = [...cli.issues, ...sources.flatMap((s) => s.issues)]
  const warnings: string[] = [...cli.warnings, ...sources.flatMap((s) => s.warnings)]
  if (cli.convertToAlpha && cli.alphaConfig !== undefined) issues.push({ option: '--convert-config-to-alpha', message: 'cannot use --alpha-config and --convert-config-to-alpha together' })
  if (cli.convertToAlpha && cli.configTest) issues.push({ option: '--convert-config-to-alpha', message: 'cannot use --config-test and --convert-config-to-alpha together' })
  const alphaFile = cli.convertToAlpha ? undefined : cli.alphaConfig
  const alpha = alphaFile === undefined ? undefined : loadAlphaFile(alphaFile, input.env)
  // A file of gatehouse's own keys only (routes, sites) adds to the legacy options instead of replacing them.
  const replacing = alpha !== undefined && !alpha.extensionsOnly
  if (replacing) for (const source of sources) refuseReplaced(source, issues, source === env)

  // Later layers override earlier ones: file < env < flags.
  const merged: Layer = new Map()
  for (const source of sources) for (const [key, setting] of source.layer) merged.set(key, setting)
  applyDeprecatedOptions(merged, warnings)

  let config: Config | undefined
  let entries: ProviderEntry[] | undefined
  if (!replacing) {
    config = parseMerged(merged, input.env, issues, warnings)
  } else {
    const loaded = loadWithAlpha(alpha, merged, input.env, issues, warnings)
    config = loaded?.config
    entries = loaded?.entries
  }
  // Routes and sites are checked with everything else, so one run lists every problem.
  const known = config === undefined || alpha === undefined || alphaFile === undefined ? undefined : knownIds(config, alpha)
  const routes = known === undefined || alpha === undefined || alphaFile === undefined ? undefined : routesFromRaw(alpha.extensions.routes, known, alphaFile)
  const sites = known === undefined || alpha === undefined || alphaFile === undefined ? undefined : sitesFromRaw(alpha.extensions.sites, known.providers, alphaFile)
  issues.push(...(routes?.issues ?? []), ...(sites?.issues ?? []))
  // The standard OTEL_* variables are read here, with the options, so their problems join the others.
  const tracing = config === undefined ? undefined : tracingSettings(config, input.env)
  if (tracing !== undefined) issues.push(...tracing.issues)
  if (issues.length > 0 || config === undefined) throw new ConfigError(unique(issues))
  const frozen = deepFreeze(replacing ? config : withStructured(config, structuredOf(config)))
  if (entries !== undefined) attachProviderEntries(frozen, entries)
  if (cli.convertToAlpha) return { kind: 'convert', text: printAlpha(structuredOf(frozen)) }
  if (routes?.spec !== undefined) attachRoutes(frozen, deepFreeze(routes.spec))
  if (sites?.sites !== undefined) attachSites(frozen, deepFreeze(sites.sites))
  return {
    kind: 'config',
    config: frozen,
    warnings: [...new Set([...warnings, ...(routes?.warnings ?? [])])],
    configTest: cli.configTest,
    files: reloadableFiles(frozen, [cli.configFile, alphaFile]),
    tracing: tracing?.settings === undefined ? undefined : deepFreeze(tracing.settings),
  }
}
