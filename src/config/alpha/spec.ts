/** The shape of an alpha YAML value: scalars, lists and objects with a fixed set of keys. */
export type Spec =
  | { readonly kind: 'string' | 'bool' | 'int' | 'duration' | 'bytes' | 'raw' }
  | { readonly kind: 'list'; readonly of: Spec }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Spec>> }

const str: Spec = { kind: 'string' }
const bool: Spec = { kind: 'bool' }
const int: Spec = { kind: 'int' }
const duration: Spec = { kind: 'duration' }
const bytes: Spec = { kind: 'bytes' }
const raw: Spec = { kind: 'raw' }
const strings: Spec = { kind: 'list', of: str }
const obj = (fields: Record<string, Spec>): Spec => ({ kind: 'object', fields })
const list = (of: Spec): Spec => ({ kind: 'list', of })

/** oauth2-proxy's `SecretSource`. */
export const SECRET_SOURCE = obj({ value: bytes, fromEnv: str, fromFile: str })

const HEADER = obj({
  name: str,
  preserveRequestValue: bool,
  InsecureSkipHeaderNormalization: bool,
  values: list(obj({ claimSource: obj({ claim: str, prefix: str, basicAuthPassword: SECRET_SOURCE }), secretSource: SECRET_SOURCE })),
})

const UPSTREAM = obj({
  id: str,
  path: str,
  rewriteTarget: str,
  uri: str,
  insecureSkipTLSVerify: bool,
  static: bool,
  staticCode: int,
  flushInterval: duration,
  passHostHeader: bool,
  proxyWebSockets: bool,
  timeout: duration,
  disableKeepAlives: bool,
})

const SERVER = obj({
  bindAddress: str,
  secureBindAddress: str,
  tls: obj({ key: SECRET_SOURCE, cert: SECRET_SOURCE, minVersion: str, cipherSuites: strings }),
})

/** The provider-specific sub-blocks and their keys (oauth2-proxy's `providers.go`). */
export const PROVIDER_SUBBLOCKS = {
  oidcConfig: {
    issuerURL: str, insecureAllowUnverifiedEmail: bool, insecureSkipIssuerVerification: bool, insecureSkipNonce: bool, skipDiscovery: bool,
    jwksURL: str, publicKeyFiles: strings, emailClaim: str, groupsClaim: str, userIDClaim: str, audienceClaims: strings, extraAudiences: strings,
    enabledSigningAlgs: strings,
  },
  keycloakConfig: { groups: strings, roles: strings },
  azureConfig: { tenant: str, graphGroupField: str },
  microsoftEntraIDConfig: { allowedTenants: strings, federatedTokenAuth: bool },
  ADFSConfig: { skipScope: bool },
  bitbucketConfig: { team: str, repository: str },
  githubConfig: { org: str, team: str, repo: str, token: str, users: strings },
  gitlabConfig: { group: strings, projects: strings },
  googleConfig: {
    group: strings, adminEmail: str, serviceAccountJson: str, useApplicationDefaultCredentials: bool, targetPrincipal: str, useOrganizationID: bool,
    adminAPIUserScope: str,
  },
  loginGovConfig: { jwtKey: str, jwtKeyFile: str, pubjwkURL: str },
} as const satisfies Record<string, Record<string, Spec>>

const PROVIDER = obj({
  id: str,
  provider: str,
  name: str,
  clientID: str,
  clientSecret: str,
  clientSecretFile: str,
  caFiles: strings,
  useSystemTrustStore: bool,
  loginURL: str,
  loginURLParameters: list(obj({ name: str, default: strings, allow: list(obj({ value: str, pattern: str })) })),
  authRequestResponseMode: str,
  redeemURL: str,
  profileURL: str,
  skipClaimsFromProfileURL: bool,
  resource: str,
  validateURL: str,
  scope: str,
  allowedGroups: strings,
  code_challenge_method: str,
  additionalClaims: strings,
  backendLogoutURL: str,
  ...Object.fromEntries(Object.entries(PROVIDER_SUBBLOCKS).map(([key, fields]) => [key, obj(fields)])),
})

/** The whole alpha file: oauth2-proxy's `AlphaOptions` plus gatehouse's own `routes` and `sites` (kept raw). */
export const ALPHA_SPEC = obj({
  upstreamConfig: obj({ proxyRawPath: bool, upstreams: list(UPSTREAM) }),
  injectRequestHeaders: list(HEADER),
  injectResponseHeaders: list(HEADER),
  server: SERVER,
  metricsServer: SERVER,
  providers: list(PROVIDER),
  routes: raw,
  sites: raw,
})
