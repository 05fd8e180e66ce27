import type { Config } from '../shape.js'
import type { HeaderInjection, LoginUrlParameter, ProviderBlock, ServerConfig, StructuredConfig, UpstreamEntry } from './types.js'

function claimHeader(name: string, claim: string, preserve: boolean, prefix = ''): HeaderInjection {
  return { name, preserveRequestValue: preserve, insecureSkipHeaderNormalization: false, values: [{ claimSource: { claim, prefix } }] }
}

function basicAuthHeader(preferEmail: boolean, password: string, preserve: boolean): HeaderInjection {
  return {
    name: 'Authorization',
    preserveRequestValue: preserve,
    insecureSkipHeaderNormalization: false,
    values: [{ claimSource: { claim: preferEmail ? 'email' : 'user', prefix: 'Basic ', basicAuthPassword: { value: password, resolved: password } } }],
  }
}

/** The legacy header flags. */
export type LegacyHeaderFlags = Pick<
  Config,
  | 'passBasicAuth' | 'passUserHeaders' | 'passAccessToken' | 'passAuthorizationHeader' | 'setXauthrequest' | 'setBasicAuth'
  | 'setAuthorizationHeader' | 'preferEmailToUser' | 'basicAuthPassword' | 'skipAuthStripHeaders'
>

/** oauth2-proxy's LegacyHeaders.getRequestHeaders. */
function requestHeaders(c: LegacyHeaderFlags): HeaderInjection[] {
  const preserve = !c.skipAuthStripHeaders
  const out: HeaderInjection[] = []
  if (c.passBasicAuth && c.basicAuthPassword !== '') out.push(basicAuthHeader(c.preferEmailToUser, c.basicAuthPassword, preserve))
  if (c.passBasicAuth || c.passUserHeaders) {
    out.push(claimHeader('X-Forwarded-Groups', 'groups', preserve))
    if (c.preferEmailToUser) out.push(claimHeader('X-Forwarded-User', 'email', preserve))
    else out.push(claimHeader('X-Forwarded-User', 'user', preserve), claimHeader('X-Forwarded-Email', 'email', preserve))
    out.push(claimHeader('X-Forwarded-Preferred-Username', 'preferred_username', preserve))
  }
  if (c.passAccessToken) out.push(claimHeader('X-Forwarded-Access-Token', 'access_token', preserve))
  if (c.passAuthorizationHeader) out.push(claimHeader('Authorization', 'id_token', preserve, 'Bearer '))
  return out
}

/** oauth2-proxy's LegacyHeaders.getResponseHeaders. */
function responseHeaders(c: LegacyHeaderFlags): HeaderInjection[] {
  const out: HeaderInjection[] = []
  if (c.setXauthrequest) {
    out.push(
      claimHeader('X-Auth-Request-User', 'user', false),
      claimHeader('X-Auth-Request-Email', 'email', false),
      claimHeader('X-Auth-Request-Preferred-Username', 'preferred_username', false),
      claimHeader('X-Auth-Request-Groups', 'groups', false),
    )
    if (c.passAccessToken) out.push(claimHeader('X-Auth-Request-Access-Token', 'access_token', false))
  }
  if (c.setBasicAuth) out.push(basicAuthHeader(c.preferEmailToUser, c.basicAuthPassword, false))
  if (c.setAuthorizationHeader) out.push(claimHeader('Authorization', 'id_token', false, 'Bearer '))
  return out
}

/** oauth2-proxy's LegacyHeaders.convert: the request and response header injections the flags stand for. */
export function legacyHeaderInjections(c: LegacyHeaderFlags): { request: HeaderInjection[]; response: HeaderInjection[] } {
  return { request: requestHeaders(c), response: responseHeaders(c) }
}

/** Decodes a URL path the way Go's url.Parse fills `URL.Path`; undefined when an escape is malformed. */
function goPath(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** oauth2-proxy's LegacyUpstreams.convert: one entry per `--upstream`, sharing the global forwarding options. */
function upstreamsOf(c: Config): UpstreamEntry[] {
  const out: UpstreamEntry[] = []
  for (const value of c.upstreams) {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      continue
    }
    const path = goPath(url.pathname) ?? url.pathname
    const base: UpstreamEntry = {
      id: path === '' ? '/' : path,
      path: path === '' ? '/' : path,
      rewriteTarget: '',
      uri: value,
      insecureSkipTLSVerify: c.sslUpstreamInsecureSkipVerify,
      static: false,
      staticCode: 200,
      flushInterval: c.flushInterval,
      passHostHeader: c.passHostHeader,
      proxyWebSockets: c.proxyWebsockets,
      timeout: c.upstreamTimeout,
      disableKeepAlives: c.disableKeepAlives,
    }
    switch (url.protocol) {
      case 'file:': {
        const hash = value.indexOf('#')
        const fragment = hash === -1 ? '' : (goPath(value.slice(hash + 1)) ?? '')
        out.push(fragment === '' ? base : { ...base, id: fragment, path: fragment, uri: value.slice(0, hash) })
        break
      }
      case 'static:': {
        const code = /^\d+$/.test(url.host) ? Number(url.host) : 200
        out.push({ ...base, id: value, path: '/', uri: '', static: true, staticCode: code, insecureSkipTLSVerify: false, disableKeepAlives: false, passHostHeader: false, proxyWebSockets: false, flushInterval: 1_000, timeout: 30_000 })
        break
      }
      case 'unix:':
        out.push({ ...base, path: '/' })
        break
      default:
        out.push(base)
    }
  }
  return out
}

/** oauth2-proxy's LegacyServer.convert: one listener only, HTTPS when a certificate or key is set. */
function serversOf(c: Config): { server: ServerConfig; metricsServer: ServerConfig } {
  const tlsOn = c.tlsKeyFile !== '' || c.tlsCertFile !== ''
  const server: ServerConfig = tlsOn
    ? {
        bindAddress: '',
        secureBindAddress: c.httpsAddress,
        tls: { key: { fromFile: c.tlsKeyFile, resolved: '' }, cert: { fromFile: c.tlsCertFile, resolved: '' }, minVersion: c.tlsMinVersion, cipherSuites: [...c.tlsCipherSuites] },
      }
    : { bindAddress: c.httpAddress, secureBindAddress: '' }
  const metricsTls = c.metricsTlsKeyFile !== '' || c.metricsTlsCertFile !== ''
  const metricsServer: ServerConfig = {
    bindAddress: c.metricsAddress,
    secureBindAddress: c.metricsSecureAddress,
    ...(metricsTls ? { tls: { key: { fromFile: c.metricsTlsKeyFile, resolved: '' }, cert: { fromFile: c.metricsTlsCertFile, resolved: '' }, minVersion: '', cipherSuites: [] } } : {}),
  }
  return { server, metricsServer }
}

/** The provider id oauth2-proxy gives a legacy configuration's single provider. */
export function legacyProviderId(c: Config): string {
  return c.providerDisplayName !== '' ? c.providerDisplayName : `${c.provider}=${c.clientId}`
}

/** prompt / approval_prompt / acr_values as login URL parameters (approval_prompt=force when neither is set). */
function loginParametersOf(c: Config): LoginUrlParameter[] {
  const out: LoginUrlParameter[] = []
  if (c.acrValues !== '') out.push({ name: 'acr_values', default: [c.acrValues], allow: [] })
  if (c.prompt !== '') out.push({ name: 'prompt', default: [c.prompt], allow: [] })
  else out.push({ name: 'approval_prompt', default: [c.approvalPrompt !== '' ? c.approvalPrompt : 'force'], allow: [] })
  return out
}

/** oauth2-proxy's LegacyProvider.convert. */
function providerOf(c: Config): ProviderBlock {
  const type = c.provider
  const only = <T extends Record<string, unknown>>(match: boolean, block: T): Readonly<Record<string, unknown>> => (match ? block : {})
  return {
    id: legacyProviderId(c),
    provider: type,
    name: c.providerDisplayName,
    clientID: c.clientId,
    clientSecret: c.clientSecret,
    clientSecretFile: c.clientSecretFile,
    caFiles: [...c.providerCaFiles],
    useSystemTrustStore: c.useSystemTrustStore,
    loginURL: c.loginUrl,
    loginURLParameters: loginParametersOf(c),
    authRequestResponseMode: c.authRequestResponseMode,
    redeemURL: c.redeemUrl,
    profileURL: c.profileUrl,
    skipClaimsFromProfileURL: c.skipClaimsFromProfileUrl,
    resource: c.resource,
    validateURL: c.validateUrl,
    scope: c.scope,
    allowedGroups: [...c.allowedGroups],
    code_challenge_method: c.codeChallengeMethod !== '' ? c.codeChallengeMethod : c.forceCodeChallengeMethod,
    additionalClaims: [],
    backendLogoutURL: c.backendLogoutUrl,
    oidcConfig: {
      issuerURL: c.oidcIssuerUrl,
      insecureAllowUnverifiedEmail: c.insecureOidcAllowUnverifiedEmail,
      insecureSkipIssuerVerification: c.insecureOidcSkipIssuerVerification,
      insecureSkipNonce: c.insecureOidcSkipNonce,
      skipDiscovery: c.skipOidcDiscovery,
      jwksURL: c.oidcJwksUrl,
      userIDClaim: c.userIdClaim,
      emailClaim: c.oidcEmailClaim,
      groupsClaim: c.oidcGroupsClaim,
      audienceClaims: [...c.oidcAudienceClaims],
      extraAudiences: [...c.oidcExtraAudiences],
      publicKeyFiles: [...c.oidcPublicKeyFiles],
      enabledSigningAlgs: [...c.oidcEnabledSigningAlgs],
    },
    keycloakConfig: only(type === 'keycloak-oidc' || type === 'keycloak', { groups: [...c.keycloakGroups], ...(type === 'keycloak-oidc' ? { roles: [...c.allowedRoles] } : {}) }),
    azureConfig: { tenant: c.azureTenant, graphGroupField: c.azureGraphGroupField },
    microsoftEntraIDConfig: only(type === 'entra-id', { allowedTenants: [...c.entraIdAllowedTenants], federatedTokenAuth: c.entraIdFederatedTokenAuth }),
    ADFSConfig: {},
    bitbucketConfig: only(type === 'bitbucket', { team: c.bitbucketTeam, repository: c.bitbucketRepository }),
    githubConfig: only(type === 'github', { org: c.githubOrg, team: c.githubTeam, repo: c.githubRepo, token: c.githubToken, users: [...c.githubUsers] }),
    gitlabConfig: only(type === 'gitlab', { group: [...c.gitlabGroups], projects: [...c.gitlabProjects] }),
    googleConfig: only(type === 'google', {
      group: [...c.googleGroups],
      adminEmail: c.googleAdminEmail,
      serviceAccountJson: c.googleServiceAccountJson,
      useApplicationDefaultCredentials: c.googleUseApplicationDefaultCredentials,
      targetPrincipal: c.googleTargetPrincipal,
      useOrganizationID: c.googleUseOrganizationId,
      adminAPIUserScope: c.googleAdminApiUserScope,
    }),
    loginGovConfig: only(type === 'login.gov', { jwtKey: c.jwtKey, jwtKeyFile: c.jwtKeyFile, pubjwkURL: c.pubjwkUrl }),
  }
}

/** Converts legacy options into the structured form, as oauth2-proxy's LegacyOptions.ToOptions (the one converter). */
export function structuredFromLegacy(c: Config): StructuredConfig {
  return {
    upstreamConfig: { proxyRawPath: false, upstreams: upstreamsOf(c) },
    injectRequestHeaders: requestHeaders(c),
    injectResponseHeaders: responseHeaders(c),
    ...serversOf(c),
    providers: [providerOf(c)],
    extensions: {},
  }
}
