import type { AllowedReason } from '../auth/authorize.js'
import { requestPath } from '../auth/routes.js'
import type { RequestContext } from '../http/context.js'
import type { Session } from '../session/session.js'
import type { TraceSpan } from '../tracing/tracing.js'
import { routedGate, type Routed } from './route-gate.js'
import type { Services } from './services.js'

/** What the proxy decided about a request before serving it. */
export type GateResult =
  | { kind: 'allowed'; reason: AllowedReason; session: Session | undefined; setCookies: string[]; routed?: Routed }
  | { kind: 'ok'; session: Session; setCookies: string[]; routed?: Routed }
  /** `providers` set: signed in with a provider the route does not accept; sign in with one of these. */
  | { kind: 'needs-login'; setCookies: string[]; providers?: readonly string[] }
  /** `routeId` set: the route's policy refused (the session stays); unset: the global rules refused it. */
  | { kind: 'denied'; rule: string; routeId?: string; session: Session; setCookies: string[] }
  /** Routes only: an ambiguous request (400), no route (404), or method overrides leading elsewhere (403). */
  | { kind: 'refused'; status: 400 | 403 | 404; reason: string; setCookies: string[] }

/**
 * oauth2-proxy's getAuthenticatedSession (reference §3.2). `method` and `uri` are the request that will be served:
 * the proxied request itself, or, for /oauth2/auth only, the original request a trusted reverse proxy describes.
 */
export async function gate(ctx: RequestContext, s: Services, target: { method: string; uri: string }): Promise<GateResult> {
  if (!s.tracing.enabled) return decide(ctx, s, target)
  return s.tracing.span('auth.decision', 'internal', {}, async (span) => {
    const result = await decide(ctx, s, target)
    describeDecision(span, result, s.tracing.includeUser)
    return result
  })
}

/** The authentication span's attributes: the outcome, the rule or route that decided, and the user only when allowed to. */
function describeDecision(span: TraceSpan, result: GateResult, includeUser: boolean): void {
  span.set('gatehouse.auth.result', result.kind)
  const rule = result.kind === 'allowed' || result.kind === 'refused' ? result.reason : result.kind === 'denied' ? result.rule : result.kind === 'ok' ? 'session' : undefined
  if (rule !== undefined) span.set('gatehouse.auth.rule', rule)
  const routeId = result.kind === 'denied' ? result.routeId : result.kind === 'allowed' || result.kind === 'ok' ? result.routed?.route.id : undefined
  if (routeId !== undefined) span.set('gatehouse.route.id', routeId)
  const session = result.kind === 'allowed' || result.kind === 'ok' || result.kind === 'denied' ? result.session : undefined
  if (!includeUser || session === undefined) return
  if (session.user !== undefined && session.user !== '') span.set('enduser.id', session.user)
  if (session.email !== undefined && session.email !== '') span.set('user.email', session.email)
}

async function decide(ctx: RequestContext, s: Services, target: { method: string; uri: string }): Promise<GateResult> {
  // Every method the upstream may act on must be allowed: frameworks honour X-HTTP-Method-Override and its kin.
  const methods = methodReadings(target.method, ctx.req.headers)
  if (s.routes !== undefined) return routedGate(ctx, s, s.routes, target, methods)
  return sessionGate(ctx, s, target, methods)
}

/** The gate without routes (oauth2-proxy's own); also /oauth2/userinfo's, which no route governs. */
export async function sessionGate(ctx: RequestContext, s: Services, target: { method: string; uri: string }, methods = methodReadings(target.method, ctx.req.headers)): Promise<Extract<GateResult, { kind: 'allowed' | 'ok' | 'needs-login' | 'denied' }>> {
  const path = requestPath(target.uri)
  const reasons = methods.map((method) => s.authorizer.allowedWithoutSession({ method, path, clientIp: ctx.origin.clientIp }))
  const reason = reasons.every((r) => r !== undefined) ? reasons[0] : undefined
  const step = await sessionStep(ctx, s, reason)
  if (step.kind !== 'signed-in') return step
  s.metrics.authDecision('ok', 'session')
  return { kind: 'ok', session: step.session, setCookies: step.setCookies }
}

/**
 * What every gate does once it knows whether the request may pass without a session: load the session, then the
 * global rules (email domains, emails file, `--allowed-group`). Ends with a result, or with the signed-in session.
 */
export async function sessionStep(
  ctx: RequestContext,
  s: Services,
  reason: AllowedReason | undefined,
  routed?: Routed,
): Promise<Extract<GateResult, { kind: 'allowed' | 'needs-login' | 'denied' }> | { kind: 'signed-in'; session: Session; setCookies: string[] }> {
  // The request logger is only needed when a refresh logs: read it then, not for every request.
  const auth = await s.authenticator.authenticate(ctx.cookies, ctx.origin.host, { get log() { return ctx.log }, client: ctx.origin.clientIp }, ctx.req.headers.authorization)
  const session = auth.kind === 'authenticated' ? auth.session : undefined
  if (session !== undefined) ctx.user = session.email ?? session.user
  if (reason !== undefined) {
    s.metrics.authDecision('allowed', reason)
    return routed === undefined ? { kind: 'allowed', reason, session, setCookies: auth.setCookies } : { kind: 'allowed', reason, session, setCookies: auth.setCookies, routed }
  }
  if (session === undefined) {
    s.metrics.authDecision('needs_login', auth.kind === 'anonymous' ? auth.reason : 'no_cookie')
    return { kind: 'needs-login', setCookies: auth.setCookies, ...(routed?.route.providers === undefined ? {} : { providers: routed.route.providers }) }
  }
  // A route that names its providers treats a session from another one as no session here; the cookie stays.
  const accepted = routed?.route.providers
  if (accepted !== undefined && !accepted.includes(s.idps.idOf(session))) {
    s.metrics.authDecision('needs_login', 'other_provider')
    ctx.log.info({ event: 'auth.needs_login', user: session.user, email: session.email, reason: 'other_provider', provider: s.idps.idOf(session), routeId: routed?.route.id, client: ctx.origin.clientIp }, 'the route does not accept the session\'s provider')
    return { kind: 'needs-login', setCookies: auth.setCookies, providers: accepted }
  }
  const decision = s.authorizer.authorizeSession(session)
  if (!decision.ok) {
    s.metrics.authDecision('denied', decision.rule)
    ctx.log.info({ event: 'auth.denied', user: session.user, email: session.email, rule: decision.rule, ...(routed === undefined ? {} : { routeId: routed.route.id }), client: ctx.origin.clientIp }, 'session refused by policy')
    return { kind: 'denied', rule: decision.rule, session, setCookies: await s.store.clear(ctx.cookies, ctx.origin.host) }
  }
  return { kind: 'signed-in', session, setCookies: auth.setCookies }
}

/** Headers through which upstream frameworks let a client replace the request method. */
const METHOD_OVERRIDES = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const

/** The request method upper-cased, then every distinct method an override header names. */
export function methodReadings(method: string, headers: NodeJS.Dict<string | string[]>): string[] {
  const upper = method.toUpperCase()
  // The common case: no override header at all.
  if (headers[METHOD_OVERRIDES[0]] === undefined && headers[METHOD_OVERRIDES[1]] === undefined && headers[METHOD_OVERRIDES[2]] === undefined) return [upper]
  const out = new Set([upper])
  for (const name of METHOD_OVERRIDES) {
    const value = headers[name]
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      for (const m of v.split(',')) if (m.trim() !== '') out.add(m.trim().toUpperCase())
    }
  }
  return [...out]
}
