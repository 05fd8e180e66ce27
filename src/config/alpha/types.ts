/**
 * The structured configuration (oauth2-proxy's alpha form): what `--alpha-config` holds and what legacy options are
 * converted into. Field names are the YAML keys; defaults are applied; durations are milliseconds.
 */

/** Where a secret comes from: `value` (used literally, see reference §2.4), an environment variable or a file. */
export interface SecretSource {
  readonly value?: string
  readonly fromEnv?: string
  readonly fromFile?: string
  /** The secret itself, read at load time (not part of the YAML). */
  readonly resolved: string
}

/** A header value taken from a session claim. */
export interface ClaimSource {
  readonly claim: string
  readonly prefix: string
  readonly basicAuthPassword?: SecretSource
}

/** One value of an injected header: exactly one of the two sources. */
export interface HeaderValue {
  readonly claimSource?: ClaimSource
  readonly secretSource?: SecretSource
}

/** A header added to upstream requests or to responses. */
export interface HeaderInjection {
  readonly name: string
  readonly preserveRequestValue: boolean
  readonly insecureSkipHeaderNormalization: boolean
  readonly values: readonly HeaderValue[]
}

/** One upstream with its own forwarding options. */
export interface UpstreamEntry {
  readonly id: string
  readonly path: string
  readonly rewriteTarget: string
  readonly uri: string
  readonly insecureSkipTLSVerify: boolean
  readonly static: boolean
  readonly staticCode: number
  readonly flushInterval: number
  readonly passHostHeader: boolean
  readonly proxyWebSockets: boolean
  readonly timeout: number
  readonly disableKeepAlives: boolean
}

/** The upstream list and the raw-path switch. */
export interface UpstreamConfig {
  readonly proxyRawPath: boolean
  readonly upstreams: readonly UpstreamEntry[]
}

/** TLS material of a listener. */
export interface TlsConfig {
  readonly key?: SecretSource
  readonly cert?: SecretSource
  readonly minVersion: string
  readonly cipherSuites: readonly string[]
}

/** A listener pair: plain and TLS bind addresses ("" or "-" turns one off). */
export interface ServerConfig {
  readonly bindAddress: string
  readonly secureBindAddress: string
  readonly tls?: TlsConfig
}

/** A `loginURLParameters` allow rule: an exact value or an unanchored pattern. */
export interface UrlParameterRule {
  readonly value?: string
  readonly pattern?: string
}

/** A query parameter of the IdP login URL: defaults, and which `/oauth2/start` values may override them. */
export interface LoginUrlParameter {
  readonly name: string
  readonly default: readonly string[]
  readonly allow: readonly UrlParameterRule[]
}

/** One `providers[]` block as written (provider-specific sub-blocks kept as records of their YAML keys). */
export interface ProviderBlock {
  readonly id: string
  readonly provider: string
  readonly name: string
  readonly clientID: string
  readonly clientSecret: string
  readonly clientSecretFile: string
  readonly caFiles: readonly string[]
  readonly useSystemTrustStore: boolean
  readonly loginURL: string
  readonly loginURLParameters: readonly LoginUrlParameter[]
  readonly authRequestResponseMode: string
  readonly redeemURL: string
  readonly profileURL: string
  readonly skipClaimsFromProfileURL: boolean
  readonly resource: string
  readonly validateURL: string
  readonly scope: string
  readonly allowedGroups: readonly string[]
  readonly code_challenge_method: string
  readonly additionalClaims: readonly string[]
  readonly backendLogoutURL: string
  readonly oidcConfig: Readonly<Record<string, unknown>>
  readonly keycloakConfig: Readonly<Record<string, unknown>>
  readonly azureConfig: Readonly<Record<string, unknown>>
  readonly microsoftEntraIDConfig: Readonly<Record<string, unknown>>
  readonly ADFSConfig: Readonly<Record<string, unknown>>
  readonly bitbucketConfig: Readonly<Record<string, unknown>>
  readonly githubConfig: Readonly<Record<string, unknown>>
  readonly gitlabConfig: Readonly<Record<string, unknown>>
  readonly googleConfig: Readonly<Record<string, unknown>>
  readonly loginGovConfig: Readonly<Record<string, unknown>>
}

/** Top-level keys gatehouse adds to the alpha file, carried raw for their own parsers (the policy compiler). */
export interface GatehouseExtensions {
  readonly routes?: unknown
  readonly sites?: unknown
}

/** The whole structured configuration. */
export interface StructuredConfig {
  readonly upstreamConfig: UpstreamConfig
  readonly injectRequestHeaders: readonly HeaderInjection[]
  readonly injectResponseHeaders: readonly HeaderInjection[]
  readonly server: ServerConfig
  readonly metricsServer: ServerConfig
  readonly providers: readonly ProviderBlock[]
  readonly extensions: GatehouseExtensions
}
