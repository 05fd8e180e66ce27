import type { RequestContext } from '../http/context.js'
import type { Session } from '../session/session.js'
import type { Services } from './services.js'

/**
 * `--oidc-rp-initiated-logout` (OpenID Connect RP-Initiated Logout 1.0): the IdP's discovered `end_session_endpoint`
 * with `id_token_hint`, `client_id` and the already validated `target` made absolute as `post_logout_redirect_uri`;
 * undefined when it is off, the session has no ID token or the IdP publishes no such endpoint.
 */
export async function idpLogoutUrl(s: Services, ctx: RequestContext, session: Session | undefined, target: string): Promise<string | undefined> {
  if (!s.settings.oidcRpInitiatedLogout || session?.idToken === undefined || s.provider.endSessionEndpoint === undefined) return undefined
  let endpoint: string | undefined
  try {
    endpoint = await s.provider.endSessionEndpoint()
  } catch (err) {
    ctx.log.warn({ event: 'auth.logout.idp_unavailable', error: (err as Error).message }, 'no end_session_endpoint: the IdP session stays')
    return undefined
  }
  if (endpoint === undefined) return undefined
  const url = new URL(endpoint)
  url.searchParams.set('id_token_hint', session.idToken)
  if (s.provider.clientId !== undefined) url.searchParams.set('client_id', s.provider.clientId)
  // `target` passed the redirect rules; the IdP needs it absolute (and registered as a post-logout redirect URI).
  url.searchParams.set('post_logout_redirect_uri', new URL(target, `${ctx.origin.proto}://${ctx.origin.host}`).href)
  return url.href
}
