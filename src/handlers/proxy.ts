import { checkQueryConstraints, parseQueryConstraints } from '../auth/query-constraints.js'
import { ProxyError } from '../errors.js'
import type { RequestContext } from '../http/context.js'
import { GrpcStatus, isGrpcRequest, sendGrpcStatus } from '../http/grpc.js'
import { appendSetCookies, redirect, sendHtml, sendJson, sendText, wantsJson } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import type { Session } from '../session/session.js'
import { encodePath } from '../upstream/path.js'
import { upstreamTarget } from '../policy/canonical.js'
import { andThen, type Awaitable } from '../lib/awaitable.js'
import { gate, type GateResult } from './gate.js'
import type { Routed } from './routed.js'
import { withUpstreamAssertion } from './identity-assertion.js'
import { offeredProviders } from './provider-choice.js'
import { appRedirect } from './redirects.js'
import type { Services } from './services.js'
import { sendSignInPage } from './sign-in-page.js'
import { startLogin } from './start.js'
import { forwardTraced } from './upstream-span.js'

/**
 * The catch-all: authenticate, authorize, strip client identity headers, inject ours, stream to the upstream.
 * The path that decides (skip-auth routes) is the path that is proxied: forwarded URIs play no part here.
 */
export function createProxyHandler(s: Services): Handler {
  return (ctx) => andThen(gate(ctx, s, { method: ctx.req.method ?? 'GET', uri: ctx.rawUrl }), (result) => answer(ctx, s, result))
}

/** Serves the request as the gate decided: sign-in, refusal, or the upstream. */
function answer(ctx: RequestContext, s: Services, result: GateResult): Awaitable<void> {
  switch (result.kind) {
    case 'needs-login':
      return needsLogin(ctx, s, result.setCookies, result.providers)
    case 'denied':
      appendSetCookies(ctx.res, result.setCookies)
      if (s.settings.forceJsonErrors && !isGrpcRequest(ctx.req)) return sendJson(ctx.res, 403, {})
      throw new ProxyError('ERR_FORBIDDEN', 403, result.routeId === undefined ? `session failed ${result.rule}` : `route ${result.routeId} refused by ${result.rule}`)
    case 'refused':
      throw refusal(result.status, result.reason)
    case 'allowed':
    case 'ok':
      return serve(ctx, s, result.session, result.setCookies, result.routed)
  }
}

/** No session, or (`accepted` set) one from a provider the route does not accept: 401 for APIs, else sign in. */
async function needsLogin(ctx: RequestContext, s: Services, setCookies: string[], accepted: readonly string[] | undefined): Promise<void> {
  // A gRPC client cannot follow a sign-in: it gets what a gRPC server answers an unauthenticated call.
  if (isGrpcRequest(ctx.req)) {
    appendSetCookies(ctx.res, setCookies)
    return sendGrpcStatus(ctx.res, GrpcStatus.UNAUTHENTICATED, 'authentication required: send a bearer token or a session cookie')
  }
  if (s.settings.forceJsonErrors || wantsJson(ctx.req.headers.accept) || s.isApiRoute(ctx.rawUrl)) {
    appendSetCookies(ctx.res, setCookies)
    return sendJson(ctx.res, 401, {})
  }
  const target = appRedirect(ctx, s, undefined, s.settings.skipProviderButton ? 400 : 500)
  const cleared = await s.store.clear(ctx.cookies, ctx.origin.host)
  if (s.settings.skipProviderButton) return startLogin(ctx, s, target, [...setCookies, ...cleared], offeredProviders(ctx, s, target, accepted)[0])
  // oauth2-proxy answers a browser without a session with the sign-in page and status 403.
  sendSignInPage(ctx, s, target, 403, [...setCookies, ...cleared], accepted)
}

/** The error for a request the routes refuse before any session is looked at. */
export function refusal(status: 400 | 403 | 404, reason: string): ProxyError {
  if (status === 404) return new ProxyError('ERR_NOT_FOUND', 404, 'no route matches the request')
  if (status === 403) return new ProxyError('ERR_FORBIDDEN', 403, `refused: ${reason}`)
  return new ProxyError('ERR_BAD_REQUEST', 400, `ambiguous request refused: ${reason}`, { userMessage: 'The request path is ambiguous (encoded separators, backslashes, semicolons or control characters).' })
}

/** The upstream of a request: its route's own, else the path-based table over the path that was decided on. */
export function upstreamFor(ctx: RequestContext, s: Services, routed: Routed | undefined): ReturnType<Services['upstreams']['match']> {
  if (routed === undefined) return s.upstreams.match(ctx.pathname, ctx.rawUrl)
  // The upstream receives the canonical path the route and policy matched, never the raw one.
  ctx.req.url = upstreamTarget(routed.request)
  if (routed.target !== undefined) return { target: routed.target }
  return s.upstreams.match(encodePath(routed.request.path), ctx.req.url)
}

function serve(ctx: RequestContext, s: Services, session: Session | undefined, setCookies: string[], routed: Routed | undefined): Awaitable<void> {
  // Most proxied requests have no query, hence no allowed_groups/allowed_emails constraint to read.
  if (session !== undefined && ctx.rawUrl.includes('?')) {
    const verdict = checkQueryConstraints(parseQueryConstraints(ctx.query), { email: session.email, groups: session.groups })
    if (!verdict.ok) {
      appendSetCookies(ctx.res, setCookies)
      return sendText(ctx.res, 403, 'Forbidden\n')
    }
  }
  const match = upstreamFor(ctx, s, routed)
  if (match === undefined) {
    appendSetCookies(ctx.res, setCookies)
    throw new ProxyError('ERR_NOT_FOUND', 404, `no upstream for ${ctx.pathname}`)
  }
  if ('redirectTo' in match) {
    appendSetCookies(ctx.res, setCookies)
    const url = ctx.req.url ?? ctx.rawUrl
    const query = url.indexOf('?')
    return redirect(ctx.res, query === -1 ? match.redirectTo : match.redirectTo + url.slice(query), 301)
  }
  ctx.upstream = match.target.id
  // rewriteTarget: the upstream (or the file lookup) sees the rewritten URI, as oauth2-proxy's rewritePath sets it.
  if (match.uri !== undefined) ctx.req.url = match.uri
  const identity = s.headers.responseHeaders(session)
  const responseHeaders = setCookies.length === 0 ? identity : { ...identity, 'Set-Cookie': setCookies }
  const { target } = match
  const removeHeaders = s.headers.headersToStrip(ctx.req.headers)
  return andThen(withUpstreamAssertion(ctx, s.identityAssertion, s.headers.upstreamHeaders(session), session, target, routed?.route), (setHeaders) =>
    forwardTraced(ctx, s, target, { setHeaders, removeHeaders, responseHeaders }),
  )
}
