import type { Config, CrossProblem } from './shape.js'

/** Provider types built on the OpenID Connect base, whose client can call an introspection endpoint. */
const INTROSPECTING_PROVIDERS: readonly string[] = ['oidc', 'keycloak-oidc', 'entra-id', 'adfs', 'cidaas', 'gitlab', 'azure', 'login.gov']

/** The longest an introspection answer may be reused: past it a revoked token would stay usable too long. */
const MAX_CACHE_TTL_MS = 60 * 60_000

/** Problems of --introspect-bearer-tokens, --introspection-url and --introspection-cache-ttl together. */
export function introspectionProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  if (!c.introspectBearerTokens) {
    if (c.introspectionUrl !== '') {
      out.push({ key: 'introspectionUrl', message: '--introspection-url does nothing without --introspect-bearer-tokens: set both, or remove it' })
    }
    return out
  }
  if (!INTROSPECTING_PROVIDERS.includes(c.provider)) {
    out.push({
      key: 'introspectBearerTokens',
      message: `--introspect-bearer-tokens needs an OpenID Connect provider (${INTROSPECTING_PROVIDERS.join(', ')}); provider "${c.provider}" has no introspection endpoint`,
    })
  }
  // RFC 7662 §2.1: the endpoint authenticates its caller; a public client has nothing to authenticate with.
  if (c.clientSecret === '' && c.clientSecretFile === '' && c.provider !== 'login.gov') {
    out.push({ key: 'introspectBearerTokens', message: '--introspect-bearer-tokens calls the introspection endpoint as the client: set --client-secret or --client-secret-file' })
  }
  if (c.skipOidcDiscovery && c.introspectionUrl === '') {
    out.push({ key: 'introspectionUrl', message: '--introspect-bearer-tokens with --skip-oidc-discovery needs --introspection-url (the provider\'s RFC 7662 endpoint)' })
  }
  if (c.introspectionCacheTtl > MAX_CACHE_TTL_MS) {
    out.push({ key: 'introspectionCacheTtl', message: `--introspection-cache-ttl is ${c.introspectionCacheTtl / 1000}s: a revoked token would be accepted that long; set 1h or less (default 30s)` })
  }
  return out
}
