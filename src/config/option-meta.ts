/** How an option's text is read: Go string, bool, string slice, time.Duration (kept in ms) or int. */
export type OptionKind = 'string' | 'bool' | 'list' | 'duration' | 'int'

/** The areas options are grouped by in `--help` and the generated docs, in display order. */
export const OPTION_GROUPS = [
  'server',
  'upstreams',
  'cookies',
  'session',
  'provider',
  'oidc',
  'authorization',
  'headers',
  'logging',
  'metrics',
  'tracing',
  'pages',
  'misc',
] as const

/** One of {@link OPTION_GROUPS}. */
export type OptionGroup = (typeof OPTION_GROUPS)[number]

/** A typed option value: durations are milliseconds, lists are string arrays. */
export type OptionValue = string | boolean | number | readonly string[]

/** What an option table entry states by hand; the rest of {@link OptionMeta} is derived from its Config key. */
export interface OptionDraft {
  /** The command-line flag without dashes, e.g. `upstream`. */
  readonly flag: string
  readonly kind: OptionKind
  /** The default as a typed value (durations in ms). */
  readonly default: OptionValue
  readonly group: OptionGroup
  /** One line, in gatehouse's own words. */
  readonly description: string
  /** True for values that must never appear in messages or logs. */
  readonly secret: boolean
  /** The accepted values, when the option is an enumeration. */
  readonly choices?: readonly string[]
  /** The option that replaces this deprecated one. */
  readonly replacedBy?: string
}

/** Everything known about one oauth2-proxy legacy option: names in the three sources, type, default and docs. */
export interface OptionMeta extends OptionDraft {
  /** The Config field: camelCase of the cfg key. */
  readonly key: string
  /** The TOML key in a `--config` file. */
  readonly cfg: string
  /** `OAUTH2_PROXY_` + the upper-cased cfg key. */
  readonly env: string
  /** False until gatehouse implements it; a non-default value is then a startup error. */
  readonly supported: boolean
}

/** The prefix of every environment variable oauth2-proxy reads. */
export const ENV_PREFIX = 'OAUTH2_PROXY_'

/** `cookie_secret` → `cookieSecret`. */
export function camelFromCfg(cfg: string): string {
  return cfg.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())
}

/** `cookieSecret` → `cookie_secret`. */
export function cfgFromCamel(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** `cookie_secret` → `OAUTH2_PROXY_COOKIE_SECRET`. */
export function envFromCfg(cfg: string): string {
  return ENV_PREFIX + cfg.toUpperCase()
}
