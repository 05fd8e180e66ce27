import { callbackUrl, chooseRedirect } from '../auth/redirect-target.js'
import { ProxyError } from '../errors.js'
import type { RequestContext } from '../http/context.js'
import type { Services } from './services.js'

/** Go's url.ParseQuery error, which oauth2-proxy shows when a query has `;` without --allow-query-semicolons. */
export function semicolonError(status: number): ProxyError {
  return new ProxyError(status >= 500 ? 'ERR_INTERNAL' : 'ERR_BAD_REQUEST', status, 'invalid semicolon separator in query', { userMessage: 'invalid semicolon separator in query' })
}

/**
 * The validated place to send the browser after login or logout, from this request (reference §3.10). A `;` in the
 * query without --allow-query-semicolons fails as oauth2-proxy's GetRedirect does: 500, or `badQueryStatus` (400 on
 * the way to the IdP).
 */
export function appRedirect(ctx: RequestContext, s: Services, form?: URLSearchParams, badQueryStatus = 500): string {
  if (ctx.querySemicolonError) throw semicolonError(badQueryStatus)
  const header = ctx.req.headers['x-auth-request-redirect']
  const headerValue = Array.isArray(header) ? header[0] : header
  return chooseRedirect(
    {
      rd: form?.get('rd') ?? ctx.query.get('rd') ?? undefined,
      // Node reads header bytes as latin1; read them as the UTF-8 they are (as `rd` is decoded), so the validator's
      // Unicode rules see the real characters: `/\u00a0/evil` must not pass as `/Â\u00a0/evil`.
      headerRedirect: headerValue === undefined ? undefined : Buffer.from(headerValue, 'latin1').toString('utf8'),
      trusted: ctx.origin.trusted,
      forwardedHost: ctx.origin.forwardedHost,
      proto: ctx.origin.proto,
      host: ctx.origin.host,
      uri: ctx.origin.uri,
      proxyPrefix: s.settings.proxyPrefix,
    },
    s.isValidRedirect,
  )
}

/** The redirect_uri for the IdP, for this request's host (reference §3.11): its site's `redirectUrl`, else `--redirect-url`. */
export function redirectUri(ctx: RequestContext, s: Services): string {
  return callbackUrl({
    redirectUrl: s.sites?.find(ctx.origin.host)?.redirectUrl ?? s.settings.redirectUrl,
    relative: s.settings.relativeRedirectUrl,
    cookieSecure: s.settings.cookieSecure,
    proto: ctx.origin.proto,
    host: ctx.origin.host,
    proxyPrefix: s.settings.proxyPrefix,
  })
}
