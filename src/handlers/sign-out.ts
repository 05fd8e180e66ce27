import { appendSetCookies, redirect } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import { readForm } from './form.js'
import { appRedirect } from './redirects.js'
import type { Services } from './services.js'
import { idpLogoutUrl } from './sign-out-idp.js'

/**
 * `<prefix>/sign_out` (any method): ends the session, calls its provider's `--backend-logout-url` when set, and sends the browser
 * to the validated `rd` / `X-Auth-Request-Redirect`, with `{id_token}` replaced by the session's ID token (reference §3.8).
 * gatehouse adds `scope=all` (every session of the user, on every replica) and `--oidc-rp-initiated-logout`.
 */
export function createSignOutHandler(s: Services): Handler {
  return async (ctx) => {
    const form = ctx.req.method === 'POST' ? await readForm(ctx.req) : undefined
    let target = appRedirect(ctx, s, form)
    // A session that cannot be read (the store is down) is signed out all the same.
    const loaded = await (async () => s.store.load(ctx.cookies, s.clock()))().catch(() => ({ kind: 'none' as const }))
    const session = loaded.kind === 'ok' ? loaded.session : undefined
    const idToken = session?.idToken ?? ''
    if (target.includes('{id_token}')) target = target.replaceAll('{id_token}', encodeURIComponent(idToken))
    // The backend logout of the provider that signed the session in.
    const backendLogoutUrl = session === undefined ? '' : (s.idps.of(session)?.backendLogoutUrl ?? '')
    if (backendLogoutUrl !== '' && session !== undefined) {
      const url = backendLogoutUrl.replaceAll('{id_token}', encodeURIComponent(idToken))
      try {
        const res = await s.providerFetch(url)
        await res.body?.cancel()
        if (res.status !== 200 && res.status !== 204) ctx.log.warn({ event: 'auth.logout.backend_failed', user: session.user, email: session.email, client: ctx.origin.clientIp, status: res.status }, 'backend logout answered with an error')
      } catch (err) {
        ctx.log.warn({ event: 'auth.logout.backend_failed', user: session.user, email: session.email, client: ctx.origin.clientIp, error: (err as Error).message }, 'backend logout request failed')
      }
    }
    const everywhere = (form?.get('scope') ?? ctx.query.get('scope')) === 'all'
    if (everywhere && session?.user !== undefined) {
      const now = s.clock()
      const ended = await s.revocations.revoke({ sub: session.user, before: now }, now)
      s.metrics.logout('sign_out_all', 'done')
      ctx.log.info({ event: 'session.revoked', by: session.user, user: session.user, reason: 'sign_out_all', sessions: ended, client: ctx.origin.clientIp }, 'signed out everywhere')
    }
    appendSetCookies(ctx.res, await s.store.clear(ctx.cookies, ctx.origin.host))
    if (session !== undefined) ctx.log.info({ event: 'auth.logout', user: session.user, email: session.email, client: ctx.origin.clientIp }, 'signed out')
    redirect(ctx.res, (await idpLogoutUrl(s, ctx, session, target)) ?? target)
  }
}
