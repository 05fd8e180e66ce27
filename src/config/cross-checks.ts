import { cookieSecretProblem } from '../crypto/cookie-secret.js'
import { IMPLEMENTED_PROVIDERS } from '../providers/provider-names.js'
import { plainOAuth2Problems } from './oauth2-cross-checks.js'
import { isRedisConfigured, parseRedisUrl } from '../session/redis-options.js'
import { assertionProblems } from './assertion-checks.js'
import { googleGitlabProblems } from './google-gitlab-checks.js'
import { introspectionProblems } from './introspection-checks.js'
import { loginGovProblems } from './login-gov-checks.js'
import type { Config, ConfigKey, CrossProblem } from './shape.js'

/** How to make a good cookie secret, shown whenever one is missing or bad. */
export const COOKIE_SECRET_HINT = "create one with: openssl rand -base64 32 | tr -- '+/' '-_'"

/** Provider types whose login runs through OIDC discovery and therefore need an issuer URL. */
const OIDC_FAMILY: readonly string[] = ['oidc', 'keycloak-oidc', 'entra-id', 'adfs', 'cidaas', 'gitlab', 'azure']

function secretProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  if (c.cookieSecret === '' && c.cookieSecretFile === '') {
    out.push({ key: 'cookieSecret', message: `a cookie secret is required: set --cookie-secret or --cookie-secret-file; ${COOKIE_SECRET_HINT}` })
  } else if (c.cookieSecret !== '') {
    const problem = cookieSecretProblem(c.cookieSecret)
    if (problem !== undefined) out.push({ key: 'cookieSecret', message: problem })
  }
  if (c.clientId === '') out.push({ key: 'clientId', message: 'a client ID is required: set --client-id to the ID registered at the identity provider' })
  // login.gov authenticates with --jwt-key instead of a secret (login-gov-checks.ts), entra-id can with its workload
  // identity token (identity-checks.ts).
  const noSecretNeeded = c.provider === 'login.gov' || (c.provider === 'entra-id' && c.entraIdFederatedTokenAuth)
  if (c.clientSecret === '' && c.clientSecretFile === '' && c.codeChallengeMethod === '' && !noSecretNeeded) {
    out.push({
      key: 'clientSecret',
      message: 'a client secret is required: set --client-secret or --client-secret-file (a public client without a secret needs --code-challenge-method=S256)',
    })
  }
  return out
}

function providerProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  if (!IMPLEMENTED_PROVIDERS.includes(c.provider)) {
    out.push({
      key: 'provider',
      message:
        `provider "${c.provider}" is not supported yet by gatehouse (implemented: ${IMPLEMENTED_PROVIDERS.join(', ')}): ` +
        "pass --provider=oidc with the provider's --oidc-issuer-url if it speaks standard OpenID Connect",
    })
  }
  if (c.insecureOidcSkipIssuerVerification && c.provider !== 'entra-id') {
    out.push({
      key: 'insecureOidcSkipIssuerVerification',
      message: '--insecure-oidc-skip-issuer-verification is only supported with --provider=entra-id (multi-tenant apps) so far',
    })
  }
  if (!OIDC_FAMILY.includes(c.provider)) return out
  if (!c.skipOidcDiscovery) {
    if (c.oidcIssuerUrl === '') {
      out.push({
        key: 'oidcIssuerUrl',
        message: `provider "${c.provider}" needs --oidc-issuer-url (or --skip-oidc-discovery with --login-url, --redeem-url and --oidc-jwks-url)`,
      })
    }
  } else {
    const why = 'is required with --skip-oidc-discovery'
    // azure defaults both to https://login.microsoftonline.com/<--azure-tenant>/oauth2/... as oauth2-proxy does.
    if (c.loginUrl === '' && c.provider !== 'azure') out.push({ key: 'loginUrl', message: `--login-url (the authorization endpoint) ${why}` })
    if (c.redeemUrl === '' && c.provider !== 'azure') out.push({ key: 'redeemUrl', message: `--redeem-url (the token endpoint) ${why}` })
    if (c.oidcJwksUrl === '' && c.oidcPublicKeyFiles.length === 0) {
      out.push({ key: 'oidcJwksUrl', message: `--oidc-jwks-url (or --oidc-public-key-file) ${why}, to verify ID tokens` })
    }
  }
  if (c.oidcJwksUrl !== '' && c.oidcPublicKeyFiles.length > 0) {
    out.push({ key: 'oidcPublicKeyFiles', message: 'use either --oidc-jwks-url or --oidc-public-key-file, not both' })
  }
  return out
}

/** The admin listener: someone must be able to prove they are an admin, and a public one needs a credential. */
function adminProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  if (c.adminToken !== '' && c.adminTokenFile !== '') out.push({ key: 'adminTokenFile', message: 'use either --admin-token or --admin-token-file, not both' })
  if (c.adminToken === '' && c.adminTokenFile === '' && c.adminGroup === '') {
    out.push({ key: 'adminAddress', message: '--admin-address needs --admin-token, --admin-token-file or --admin-group: nobody could use it otherwise, and a listener open to all would be worse' })
  }
  const host = c.adminAddress.replace(/:\d*$/, '').replace(/^\[|\]$/g, '')
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host)
  if (!loopback && c.adminToken === '' && c.adminTokenFile === '') {
    out.push({ key: 'adminAddress', message: `the admin listener on ${c.adminAddress} is reachable beyond this machine: set --admin-token or --admin-token-file, or listen on 127.0.0.1` })
  }
  if (c.adminToken !== '' && c.adminToken.length < 16) out.push({ key: 'adminToken', message: '--admin-token must be at least 16 characters' })
  return out
}

function cookieProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  if (c.cookieRefresh !== 0 && c.cookieExpire !== 0 && c.cookieRefresh >= c.cookieExpire) {
    out.push({ key: 'cookieRefresh', message: '--cookie-refresh must be shorter than --cookie-expire (or 0 to never refresh)' })
  }
  if (c.sessionIdleTimeout !== 0 && c.sessionIdleTimeout < 120_000) {
    out.push({ key: 'sessionIdleTimeout', message: '--session-idle-timeout must be 0 (off) or at least 2m: the last use is written once a minute' })
  }
  if (c.adminAddress !== '') out.push(...adminProblems(c))
  if (c.sessionCookieMinimal) {
    const needsTokens = 'needs the tokens that --session-cookie-minimal leaves out of the session'
    if (c.cookieRefresh > 0) out.push({ key: 'cookieRefresh', message: `refreshing ${needsTokens}: set --cookie-refresh=0 or drop --session-cookie-minimal` })
    if (c.passAccessToken) out.push({ key: 'passAccessToken', message: `--pass-access-token ${needsTokens}` })
    if (c.passAuthorizationHeader) out.push({ key: 'passAuthorizationHeader', message: `--pass-authorization-header ${needsTokens}` })
    if (c.setAuthorizationHeader) out.push({ key: 'setAuthorizationHeader', message: `--set-authorization-header ${needsTokens}` })
  }
  return out
}

function redisUrlProblem(key: ConfigKey, flag: string, urls: readonly string[]): CrossProblem[] {
  for (const url of urls) {
    try {
      parseRedisUrl(url)
    } catch {
      // Never echo the URL: it may carry a password.
      return [{ key, message: `${flag} must be redis://[user[:password]@]host[:port][/db], rediss://… or unix:///path` }]
    }
  }
  return []
}

/** What each Redis mode needs (oauth2-proxy's validation of the Redis session options; also for the cookie store's revocation list). */
function redisProblems(c: Config): CrossProblem[] {
  if (c.sessionStoreType !== 'redis' && !isRedisConfigured(c)) return []
  const out: CrossProblem[] = []
  if (c.redisUseSentinel && c.redisUseCluster) {
    out.push({ key: 'redisUseCluster', message: '--redis-use-sentinel and --redis-use-cluster exclude each other: pick one' })
  } else if (c.redisUseSentinel) {
    if (c.redisSentinelMasterName === '') out.push({ key: 'redisSentinelMasterName', message: '--redis-use-sentinel needs --redis-sentinel-master-name' })
    if (c.redisSentinelConnectionUrls.length === 0) out.push({ key: 'redisSentinelConnectionUrls', message: '--redis-use-sentinel needs --redis-sentinel-connection-urls' })
    out.push(...redisUrlProblem('redisSentinelConnectionUrls', '--redis-sentinel-connection-urls', c.redisSentinelConnectionUrls))
  } else if (c.redisUseCluster) {
    if (c.redisClusterConnectionUrls.length === 0) out.push({ key: 'redisClusterConnectionUrls', message: '--redis-use-cluster needs --redis-cluster-connection-urls' })
    out.push(...redisUrlProblem('redisClusterConnectionUrls', '--redis-cluster-connection-urls', c.redisClusterConnectionUrls))
  } else if (c.redisConnectionUrl === '') {
    out.push({ key: 'redisConnectionUrl', message: '--session-store-type=redis needs --redis-connection-url (or --redis-use-sentinel / --redis-use-cluster with their URLs)' })
  }
  if (!c.redisUseCluster && c.redisConnectionUrl !== '') out.push(...redisUrlProblem('redisConnectionUrl', '--redis-connection-url', [c.redisConnectionUrl]))
  return out
}

function headerProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  if (c.setBasicAuth && c.setAuthorizationHeader) {
    out.push({ key: 'setBasicAuth', message: '--set-basic-auth and --set-authorization-header both write the Authorization response header: keep one' })
  }
  if (c.passBasicAuth && c.basicAuthPassword !== '' && c.passAuthorizationHeader) {
    out.push({
      key: 'passAuthorizationHeader',
      message: '--pass-authorization-header and --pass-basic-auth with --basic-auth-password both write the upstream Authorization header: keep one',
    })
  }
  return out
}

function otherProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  if (c.emailDomains.length === 0 && c.authenticatedEmailsFile === '' && c.htpasswdFile === '') {
    out.push({
      key: 'emailDomains',
      message: 'no rule says which users may sign in: set --email-domain (use --email-domain=* to allow every email address), --authenticated-emails-file or --htpasswd-file',
    })
  }
  if ((c.tlsCertFile === '') !== (c.tlsKeyFile === '')) {
    out.push({ key: c.tlsCertFile === '' ? 'tlsCertFile' : 'tlsKeyFile', message: '--tls-cert-file and --tls-key-file go together: set both or neither' })
  }
  if (c.metricsSecureAddress !== '' && (c.metricsTlsCertFile === '' || c.metricsTlsKeyFile === '')) {
    out.push({ key: c.metricsTlsCertFile === '' ? 'metricsTlsCertFile' : 'metricsTlsKeyFile', message: '--metrics-secure-address needs --metrics-tls-cert-file and --metrics-tls-key-file' })
  }
  return out
}

/** The rules that span several options, in the order they are reported. */
export function crossFieldProblems(c: Config): CrossProblem[] {
  return [...secretProblems(c), ...providerProblems(c), ...googleGitlabProblems(c), ...plainOAuth2Problems(c), ...loginGovProblems(c), ...otherProblems(c), ...cookieProblems(c), ...redisProblems(c), ...headerProblems(c), ...assertionProblems(c), ...introspectionProblems(c)]
}
