import { requestPath } from '../auth/routes.js'
import type { RequestContext } from '../http/context.js'
import { andThen, type Awaitable } from '../lib/awaitable.js'
import type { TraceSpan } from '../tracing/tracing.js'
import { routedGate } from './route-gate.js'
import { sessionStep, type GateResult } from './session-step.js'
import type { Services } from './services.js'

export type { GateResult } from './session-step.js'

/**
 * oauth2-proxy's getAuthenticatedSession (reference §3.2). `method` and `uri` are the request that will be served:
 * the proxied request itself, or, for /oauth2/auth only, the original request a trusted reverse proxy describes.
 */
export function gate(ctx: RequestContext, s: Services, target: { method: string; uri: string }): Awaitable<GateResult> {
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

function decide(ctx: RequestContext, s: Services, target: { method: string; uri: string }): Awaitable<GateResult> {
  // Every method the upstream may act on must be allowed: frameworks honour X-HTTP-Method-Override and its kin.
  const methods = methodReadings(target.method, ctx.req.headers)
  if (s.routes !== undefined) return routedGate(ctx, s, s.routes, target, methods)
  return sessionGate(ctx, s, target, methods)
}

/** The gate without routes (oauth2-proxy's own); also /oauth2/userinfo's, which no route governs. */
export function sessionGate(ctx: RequestContext, s: Services, target: { method: string; uri: string }, methods = methodReadings(target.method, ctx.req.headers)): Awaitable<Extract<GateResult, { kind: 'allowed' | 'ok' | 'needs-login' | 'denied' }>> {
  const path = requestPath(target.uri)
  const reasons = methods.map((method) => s.authorizer.allowedWithoutSession({ method, path, clientIp: ctx.origin.clientIp }))
  const reason = reasons.every((r) => r !== undefined) ? reasons[0] : undefined
  return andThen(sessionStep(ctx, s, reason), (step) => {
    if (step.kind !== 'signed-in') return step
    s.metrics.authDecision('ok', 'session')
    return { kind: 'ok', session: step.session, setCookies: step.setCookies }
  })
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
