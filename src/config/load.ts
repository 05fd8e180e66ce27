import { accessSync, constants, readFileSync } from 'node:fs'
import type { core } from 'zod'
import { cookieSecretProblem } from '../crypto/cookie-secret.js'
import { ConfigError, type ConfigIssue } from '../errors.js'
import { templatesProblem } from '../pages/custom-templates.js'
import { logoProblem } from '../pages/logo.js'
import { VERSION } from '../version.js'
import { parseArgv } from './argv.js'
import { renderHelp } from './help.js'
import { reloadableFiles } from './files.js'
import { applyDeprecatedOptions } from './legacy.js'
import { configSchema, optionByKey, type Config } from './schema.js'
import type { Layer, LayerResult } from './setting.js'
import { envLayer, fileLayer, flagLayer } from './sources.js'

/** What the process was asked for: help, the version, or a run with a valid configuration. */
export type LoadResult =
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  | {
      kind: 'config'
      config: Config
      warnings: string[]
      configTest: boolean
      /** The files a reload reads again (the cfg file and those the options name): what `--watch-config` watches. */
      files: string[]
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

/**
 * Loads the configuration oauth2-proxy's way: flags > OAUTH2_PROXY_* env > `--config` TOML file > defaults, then
 * reads secret files and validates everything. Throws one ConfigError listing every problem; the config is deep-frozen.
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
  const warnings: string[] = sources.flatMap((s) => s.warnings)

  // Later layers override earlier ones: file < env < flags.
  const merged: Layer = new Map()
  for (const source of sources) for (const [key, setting] of source.layer) merged.set(key, setting)
  applyDeprecatedOptions(merged, warnings)
  readSecretFile(merged, 'cookieSecret', 'cookieSecretFile', 'cookie secret', issues, warnings)
  readSecretFile(merged, 'clientSecret', 'clientSecretFile', 'client secret', issues, warnings)
  checkFilesReadable(merged, issues)
  checkPageFiles(merged, issues)

  const parsed = configSchema.safeParse(Object.fromEntries([...merged].map(([key, setting]) => [key, setting.value])))
  if (!parsed.success) issues.push(...parsed.error.issues.map((issue) => toConfigIssue(issue, merged)))
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues)
  const config = deepFreeze(parsed.data)
  return { kind: 'config', config, warnings: [...new Set(warnings)], configTest: cli.configTest, files: reloadableFiles(config, cli.configFile) }
}
