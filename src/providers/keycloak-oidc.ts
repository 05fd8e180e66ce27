import { ProxyError } from '../errors.js'
import type { Session } from '../session/session.js'
import { createOidcProvider, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'

/** oauth2-proxy's prefix that keeps Keycloak roles apart from groups in the session's group list. */
const ROLE_PREFIX = 'role:'

/**
 * Roles from a Keycloak access token, as oauth2-proxy names them: realm roles `role:<r>` (from `realm_access.roles`),
 * then client roles `role:<client>:<r>` (from `resource_access.<client>.roles`). Entries of other shapes are skipped.
 */
export function keycloakRoles(claims: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = []
  const realm = claims['realm_access']
  if (isObject(realm) && Array.isArray(realm['roles'])) {
    for (const role of realm['roles']) if (typeof role === 'string') out.push(`${ROLE_PREFIX}${role}`)
  }
  const resources = claims['resource_access']
  if (isObject(resources)) {
    for (const [client, access] of Object.entries(resources)) {
      if (!isObject(access) || !Array.isArray(access['roles'])) continue
      for (const role of access['roles']) if (typeof role === 'string') out.push(`${ROLE_PREFIX}${client}:${role}`)
    }
  }
  return out
}

/** `--allowed-role` values (`r` or `client:r`) as the groups they match, added to `--allowed-group` (oauth2-proxy's addAllowedRoles). */
export function keycloakAllowedGroups(allowedGroups: readonly string[], allowedRoles: readonly string[]): string[] {
  return [...allowedGroups, ...allowedRoles.map((role) => `${ROLE_PREFIX}${role}`)]
}

/**
 * keycloak-oidc's CreateSessionFromToken: the bearer token's realm and client roles join its groups, after them, so
 * `--allowed-role` admits API clients as it admits browsers.
 */
export function keycloakBearerSession(session: Session, claims: Readonly<Record<string, unknown>>): Session {
  const groups = [...(session.groups ?? []), ...keycloakRoles(claims)]
  return groups.length === 0 ? session : { ...session, groups }
}

/**
 * `--provider=keycloak-oidc`: generic OIDC plus the user's Keycloak roles. The roles are read from the access token,
 * which is verified like an ID token (signature, issuer, audience, expiry) as oauth2-proxy does, so the Keycloak
 * client needs an audience mapper putting the client ID into the access token's `aud`.
 */
export function createKeycloakOidcProvider(options: OidcProviderOptions): Provider {
  return createOidcProvider({
    ...options,
    name: 'keycloak-oidc',
    hooks: {
      async enrich(session: Session, context) {
        if (session.accessToken === undefined) throw new ProxyError('ERR_OIDC_CLAIMS', 500, 'keycloak-oidc: the token response has no access token to read roles from')
        let claims: Record<string, unknown>
        try {
          claims = await context.verifyJwt(session.accessToken)
        } catch (err) {
          // oauth2-proxy: an EnrichSession error answers the callback with a 500.
          throw new ProxyError('ERR_OIDC_CLAIMS', 500, `keycloak-oidc: could not read roles from the access token (${(err as Error).message})`, { cause: err })
        }
        // A refresh without a new ID token keeps the old list, roles included: drop those before adding the current ones
        // (oauth2-proxy appends again, repeating every role after each refresh).
        const base = (session.groups ?? []).filter((g) => context.phase === 'redeem' || !g.startsWith(ROLE_PREFIX))
        const groups = [...base, ...keycloakRoles(claims)]
        const { groups: _old, ...rest } = session
        return groups.length === 0 ? rest : { ...rest, groups }
      },
    },
  })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
