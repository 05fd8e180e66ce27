import { createHash } from 'node:crypto'
import { ProxyError } from '../errors.js'
import type { RequestContext } from '../http/context.js'
import { sendEmpty, sendJson } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import type { LogoutOutcome } from '../metrics/registry.js'
import { readForm } from './form.js'
import type { Services } from './services.js'

const NO_STORE = { 'Cache-Control': 'no-store' }

/**
 * `POST <prefix>/backchannel_logout` (OpenID Connect Back-Channel Logout 1.0): verifies the `logout_token` (§2.6),
 * refuses a `jti` seen before, ends every session of its `sid` (or, with only `sub`, of the user) on every replica,
 * and answers 200; a bad token gets 400 with an error JSON (§2.8), a Redis outage 503 so that the IdP retries.
 */
export function createBackchannelLogoutHandler(s: Services): Handler {
  function answer(ctx: RequestContext, outcome: LogoutOutcome, status: number, description: string | undefined, extra: Record<string, unknown> = {}): void {
    s.metrics.logout('backchannel', outcome)
    const level = outcome === 'done' ? 'info' : 'warn'
    ctx.log[level]({ event: `session.backchannel_logout.${outcome}`, client: ctx.origin.clientIp, ...extra, ...(description === undefined ? {} : { reason: description }) }, 'back-channel logout')
    if (status === 200) return sendEmpty(ctx.res, 200, NO_STORE)
    const error = status === 400 ? 'invalid_request' : 'temporarily_unavailable'
    sendJson(ctx.res, status, { error, error_description: description }, status === 503 ? { ...NO_STORE, 'Retry-After': '1' } : NO_STORE)
  }

  return async (ctx) => {
    if (ctx.req.method !== 'POST') return sendEmpty(ctx.res, 405, { Allow: 'POST' })
    const verify = s.provider.verifyLogoutToken
    if (verify === undefined) return answer(ctx, 'unsupported', 400, `the ${s.provider.name} provider has no back-channel logout`)
    const token = (await readForm(ctx.req)).get('logout_token')
    if (token === null || token === '') return answer(ctx, 'invalid', 400, 'logout_token is missing')
    let claims
    try {
      claims = await verify.call(s.provider, token)
    } catch (err) {
      if (err instanceof ProxyError && err.status === 400) return answer(ctx, 'invalid', 400, err.message)
      throw err
    }
    const who = { sub: claims.sub, sid: claims.sid }
    const now = s.clock()
    const jti = createHash('sha256').update(`${claims.iss}\0${claims.jti}`).digest('hex').slice(0, 40)
    try {
      if (await s.revocations.seen(jti)) return answer(ctx, 'replayed', 400, 'logout token already used', who)
      const ended = await s.revocations.revoke(claims.sid !== undefined ? { sid: claims.sid } : { sub: claims.sub as string, before: now }, now)
      await s.revocations.remember(jti, Math.max(1000, claims.rememberUntil * 1000 - now))
      answer(ctx, 'done', 200, undefined, { ...who, sessions: ended })
    } catch (err) {
      if (err instanceof ProxyError && err.code === 'ERR_SESSION_STORE_UNAVAILABLE') return answer(ctx, 'unavailable', 503, 'session store unavailable; retry later', who)
      throw err
    }
  }
}
