/** A flag read only from the command line (never from the environment or a cfg file). */
export interface CliOption {
  readonly flag: string
  readonly kind: 'string' | 'bool'
  readonly description: string
  readonly supported: boolean
}

/** The command-line-only flags, as in oauth2-proxy's main.go. */
export const CLI_OPTIONS: readonly CliOption[] = [
  { flag: 'config', kind: 'string', description: 'Read options from this TOML file (oauth2-proxy cfg format).', supported: true },
  { flag: 'alpha-config', kind: 'string', description: 'Read upstreams, injected headers, listeners and providers (oauth2-proxy alpha config), and gatehouse routes and policies, from this YAML file.', supported: true },
  { flag: 'convert-config-to-alpha', kind: 'bool', description: 'Print the upstream, header, listener and provider options as alpha YAML and exit.', supported: true },
  { flag: 'config-test', kind: 'bool', description: 'Check the configuration, print "configuration is valid" and exit.', supported: true },
  { flag: 'version', kind: 'bool', description: 'Print the version and exit.', supported: true },
  { flag: 'help', kind: 'bool', description: 'Print this help and exit (also -h).', supported: true },
]

/** CLI-only flags by name. */
export const cliOptionByFlag: ReadonlyMap<string, CliOption> = new Map(CLI_OPTIONS.map((o) => [o.flag, o]))
