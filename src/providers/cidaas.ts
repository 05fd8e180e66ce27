import { ProxyError } from '../errors.js'
import type { Session } from '../session/session.js'
import type { BearerRefine } from './bearer-sessions.js'
import { getClaim } from './claims.js'
import { createOidcProvider, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'

/** oauth2-proxy's prefix for cidaas's top-level roles in the group list. */
const ROLE_PREFIX = 'cidaas:'

/**
 * cidaas groups as oauth2-proxy names them: each `{groupId, roles[]}` entry of the groups claim gives `groupId:role`
 * per role, then each top-level `roles` entry gives `cidaas:role`. Entries of other shapes are skipped.
 */
export function cidaasGroups(userinfo: Readonly<Record<string, unknown>>, groupsClaim: string): string[] {
  const out: string[] = []
  const groups = getClaim(userinfo, groupsClaim)
  for (const entry of Array.isArray(groups) ? groups : []) {
    if (entry === null || typeof entry !== 'object') continue
    const { groupId, roles } = entry as { groupId?: unknown; roles?: unknown }
    if (typeof groupId !== 'string' || !Array.isArray(roles)) continue
    for (const role of roles) if (typeof role === 'string') out.push(`${groupId}:${role}`)
  }
  const roles = userinfo['roles']
  for (const role of Array.isArray(roles) ? roles : []) if (typeof role === 'string') out.push(`${ROLE_PREFIX}${role}`)
  return out
}

/** cidaas bearer tokens: their groups and roles claims, read in cidaas's shape, replace the generic groups (no userinfo call). */
export function cidaasBearerSession(groupsClaim: string): BearerRefine {
  return (session, claims) => {
    const groups = cidaasGroups(claims, groupsClaim)
    const { groups: _generic, ...rest } = session
    return groups.length === 0 ? rest : { ...rest, groups }
  }
}

/**
 * `--provider=cidaas`: generic OIDC (no nonce, scope `openid email profile roles groups`) whose groups are read from
 * the userinfo endpoint in cidaas's shape at sign-in and again after every refresh, replacing the token's.
 */
export function createCidaasProvider(options: OidcProviderOptions, cidaas: { scope: string }): Provider {
  return createOidcProvider({
    ...options,
    name: 'cidaas',
    scope: cidaas.scope !== '' ? cidaas.scope : 'openid email profile roles groups',
    skipNonce: true,
    hooks: {
      async enrich(session: Session, context) {
        const info = await context.userinfo()
        if (info === undefined) throw new ProxyError('ERR_OIDC_CLAIMS', 500, 'cidaas: no userinfo endpoint or no access token to read the groups with')
        const groups = cidaasGroups(info, options.groupsClaim)
        const { groups: _old, ...rest } = session
        return groups.length === 0 ? rest : { ...rest, groups }
      },
    },
  })
}
