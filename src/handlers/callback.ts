import { hashToken, parseState } from '../auth/login.js'
import { ProxyError } from '../errors.js'
import type { RequestContext } from '../http/context.js'
import { appendSetCookies, redirect } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import { readForm } from './form.js'
import { redirectUri, semicolonError } from './redirects.js'
import type { Services } from './services.js'

const CSRF_MESSAGE = 'Login Failed: Unable to find a valid CSRF token. Please try again.'

/**
 * `<prefix>/callback` (GET, or POST for `response_mode=form_post`): checks the CSRF cookie against `state`,
 * redeems the code, validates the ID token, authorizes, saves the session and returns the user (reference §3.7).
 */
export function createCallbackHandler(s: Services): Handler {
  return async (ctx: RequestContext) => {
    // oauth2-proxy's ParseForm fails on a `;` in the query before anything else.
    if (ctx.querySemicolonError) throw semicolonError(500)
    const params = ctx.req.method === 'POST' ? await readForm(ctx.req) : ctx.query
    const idpError = params.get('error')
    if (idpError !== null) {
      ctx.log.info({ event: 'auth.login.failed', reason: 'idp_error', idpError, client: ctx.origin.clientIp }, 'the identity provider returned an error')
      throw new ProxyError('ERR_LOGIN_IDP_ERROR', 403, `IdP error ${idpError}`, { userMessage: `Login Failed: The upstream identity provider returned an error: ${idpError}` })
    }
    const state = params.get('state') ?? ''
    const parsed = parseState(state, s.settings.encodeState)
    const csrf = parsed === undefined ? undefined : s.csrf.read(ctx.cookies, parsed.nonceHash, s.clock())
    if (parsed === undefined || csrf === undefined) {
      ctx.log.info({ event: 'auth.login.failed', reason: 'csrf_missing', csrfCookies: s.csrf.names(ctx.cookies), client: ctx.origin.clientIp }, 'no valid CSRF cookie for this state')
      throw new ProxyError('ERR_LOGIN_CSRF_MISSING', 403, 'no valid CSRF cookie', { userMessage: CSRF_MESSAGE })
    }
    // The CSRF cookie is single-use whatever happens next.
    appendSetCookies(ctx.res, [s.csrf.clear(csrf.name, ctx.origin.host)])
    if (!s.csrf.matches(csrf.contents, parsed.nonceHash)) {
      ctx.log.warn({ event: 'auth.login.failed', reason: 'csrf_mismatch', client: ctx.origin.clientIp }, 'CSRF token mismatch, potential attack')
      throw new ProxyError('ERR_LOGIN_CSRF_MISMATCH', 403, 'CSRF token mismatch', { userMessage: CSRF_MESSAGE })
    }

    // The provider the login went to, as the sealed CSRF cookie says (none named: the first).
    const idp = csrf.contents.providerId === undefined ? s.idps.first : s.idps.get(csrf.contents.providerId)
    if (idp === undefined) {
      ctx.log.info({ event: 'auth.login.failed', reason: 'unknown_provider', client: ctx.origin.clientIp }, 'the login went to a provider that is no longer configured')
      throw new ProxyError('ERR_LOGIN_CSRF_MISMATCH', 403, 'login started with an unknown provider', { userMessage: CSRF_MESSAGE })
    }
    const uri = redirectUri(ctx, s)
    const callbackUrl = new URL(uri, `${ctx.origin.proto}://${ctx.origin.host}`)
    for (const key of ['code', 'state', 'iss', 'session_state']) {
      const value = params.get(key)
      if (value !== null) callbackUrl.searchParams.set(key, value)
    }
    const redeemed = await idp.provider.redeem({
      callbackUrl,
      // The same redirect_uri as in the authorization request (RFC 6749 §4.1.3).
      redirectUri: uri,
      state,
      nonce: s.settings.skipNonce ? undefined : hashToken(csrf.contents.oidcNonce),
      nonceBytes: csrf.contents.oidcNonce,
      codeVerifier: csrf.contents.codeVerifier,
      now: s.clock(),
    })
    // With several providers the session names its own, so refresh, sign-out and routes use that one.
    const session = s.idps.several ? { ...redeemed, providerId: idp.id } : redeemed

    const target = s.isValidRedirect(parsed.redirect) ? parsed.redirect : '/'
    const decision = s.authorizer.authorizeSession(session)
    if (!decision.ok) {
      ctx.log.info({ event: 'auth.login.denied', user: session.user, email: session.email, rule: decision.rule, client: ctx.origin.clientIp }, 'signed in but not allowed')
      throw new ProxyError('ERR_LOGIN_UNAUTHORIZED', 403, `unauthorized by ${decision.rule}`)
    }
    const now = s.clock()
    const userAgent = ctx.req.headers['user-agent']?.slice(0, 256)
    const origin = { ip: ctx.origin.clientIp, userAgent }
    appendSetCookies(ctx.res, await s.store.save(ctx.cookies, { ...session, signedInAt: new Date(Math.floor(now / 1000) * 1000) }, ctx.origin.host, now, origin))
    ctx.user = session.email ?? session.user
    ctx.log.info({ event: 'auth.login.success', user: session.user, email: session.email, rule: 'allowed', ...(s.idps.several ? { provider: idp.id } : {}), client: ctx.origin.clientIp }, 'signed in')
    redirect(ctx.res, target)
  }
}
