import { checkQueryConstraints, parseQueryConstraints } from '../auth/query-constraints.js'
import { ProxyError } from '../errors.js'
import type { RequestContext } from '../http/context.js'
import { appendSetCookies, redirect, sendHtml, sendJson, sendText, wantsJson } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import type { Session } from '../session/session.js'
import { gate } from './gate.js'
import { appRedirect } from './redirects.js'
import type { Services } from './services.js'
import { startLogin } from './start.js'

/**
 * The catch-all: authenticate, authorize, strip client identity headers, inject ours, stream to the upstream.
 * The path that decides (skip-auth routes) is the path that is proxied: forwarded URIs play no part here.
 */
export function createProxyHandler(s: Services): Handler {
  return async (ctx) => {
    const result = await gate(ctx, s, { method: ctx.req.method ?? 'GET', uri: ctx.rawUrl })
    switch (result.kind) {
      case 'needs-login':
        return needsLogin(ctx, s, result.setCookies)
      case 'denied':
        appendSetCookies(ctx.res, result.setCookies)
        if (s.settings.forceJsonErrors) return sendJson(ctx.res, 403, {})
        throw new ProxyError('ERR_FORBIDDEN', 403, `session failed ${result.rule}`)
      case 'allowed':
      case 'ok':
        return serve(ctx, s, result.session, result.setCookies)
    }
  }
}

async function needsLogin(ctx: RequestContext, s: Services, setCookies: string[]): Promise<void> {
  if (s.settings.forceJsonErrors || wantsJson(ctx.req.headers.accept) || s.isApiRoute(ctx.rawUrl)) {
    appendSetCookies(ctx.res, setCookies)
    return sendJson(ctx.res, 401, {})
  }
  const target = appRedirect(ctx, s, undefined, s.settings.skipProviderButton ? 400 : 500)
  const cleared = await s.store.clear(ctx.cookies, ctx.origin.host)
  if (s.settings.skipProviderButton) return startLogin(ctx, s, target, [...setCookies, ...cleared])
  appendSetCookies(ctx.res, [...setCookies, ...cleared])
  // oauth2-proxy answers a browser without a session with the sign-in page and status 403.
  sendHtml(ctx.res, 403, s.pages.signIn(target, 403))
}

async function serve(ctx: RequestContext, s: Services, session: Session | undefined, setCookies: string[]): Promise<void> {
  if (session !== undefined) {
    const verdict = checkQueryConstraints(parseQueryConstraints(ctx.query), { email: session.email, groups: session.groups })
    if (!verdict.ok) {
      appendSetCookies(ctx.res, setCookies)
      return sendText(ctx.res, 403, 'Forbidden\n')
    }
  }
  const match = s.upstreams.match(ctx.pathname)
  if (match === undefined) {
    appendSetCookies(ctx.res, setCookies)
    throw new ProxyError('ERR_NOT_FOUND', 404, `no upstream for ${ctx.pathname}`)
  }
  if ('redirectTo' in match) {
    appendSetCookies(ctx.res, setCookies)
    const query = ctx.rawUrl.indexOf('?')
    return redirect(ctx.res, query === -1 ? match.redirectTo : match.redirectTo + ctx.rawUrl.slice(query), 301)
  }
  ctx.upstream = match.target.id
  const responseHeaders: Record<string, string | string[]> = { ...s.headers.responseHeaders(session) }
  if (setCookies.length > 0) responseHeaders['Set-Cookie'] = setCookies
  await s.forwarder.forward(ctx.req, ctx.res, match.target, {
    setHeaders: s.headers.upstreamHeaders(session),
    removeHeaders: s.headers.headersToStrip(ctx.req.headers),
    responseHeaders,
  })
}
