import type { RequestContext } from '../http/context.js'
import { canonicalize } from '../policy/canonical.js'
import { decideRoute } from '../policy/decide.js'
import type { Identity } from '../policy/predicates.js'
import type { Session } from '../session/session.js'
import { andThen, type Awaitable } from '../lib/awaitable.js'
import { sessionStep, type GateResult, type SignedIn } from './session-step.js'
import type { Routed, RoutesRuntime } from './routed.js'
import type { Services } from './services.js'

/** A session as policies see it. */
export function identityOf(session: Session): Identity {
  return { email: session.email, user: session.user, groups: session.groups ?? [], preferredUsername: session.preferredUsername, claims: session.additionalClaims }
}

/**
 * The gate when routes are configured: canonical request → route → public? → session → global rules → the route's
 * policy, for every method the request may be read as. Used by the proxy handler and by /oauth2/auth alike.
 */
export function routedGate(ctx: RequestContext, s: Services, routes: RoutesRuntime, target: { method: string; uri: string }, methods: readonly string[]): Awaitable<GateResult> {
  const canon = canonicalize({ method: target.method, host: ctx.origin.host, uri: target.uri, clientIp: ctx.origin.clientIp })
  if (!canon.ok) {
    s.metrics.authDecision('refused', canon.refusal)
    ctx.log.info({ event: 'auth.refused', reason: canon.refusal, client: ctx.origin.clientIp }, 'ambiguous request refused')
    return { kind: 'refused', status: 400, reason: canon.refusal, setCookies: [] }
  }
  const request = canon.request
  const route = routes.table.find(request)
  // Every method the upstream may act on (X-HTTP-Method-Override and kin) must lead to the same route.
  if (route === undefined || methods.some((m) => m !== request.method && routes.table.find({ ...request, method: m }) !== route)) {
    const reason = route === undefined ? 'no_route' : 'method_override'
    s.metrics.authDecision('refused', reason)
    return { kind: 'refused', status: route === undefined ? 404 : 403, reason, setCookies: [] }
  }
  const routed: Routed = { route, request, target: routes.targets.get(route.id) }
  const legacy = methods.map((method) => s.authorizer.allowedWithoutSession({ method, path: request.path, clientIp: request.clientIp }))
  const reason = route.public ? 'public_route' : legacy.every((r) => r !== undefined) ? legacy[0] : undefined
  return andThen(sessionStep(ctx, s, reason, routed), (step) => (step.kind === 'signed-in' ? applyPolicy(ctx, s, routed, methods, step) : step))
}

/** The route's policy over a signed-in session, for every method the request may be read as. */
function applyPolicy(ctx: RequestContext, s: Services, routed: Routed, methods: readonly string[], { session, setCookies }: SignedIn): GateResult {
  const { route, request } = routed
  const identity = identityOf(session)
  for (const method of methods) {
    const decision = decideRoute(route, identity, method === request.method ? request : { ...request, method })
    if (decision.allow) continue
    s.metrics.authDecision('denied', 'route_policy')
    ctx.log.info({ event: 'auth.denied', user: session.user, email: session.email, routeId: decision.routeId, rule: decision.rule, method, path: request.path, client: request.clientIp }, 'refused by the route policy')
    // Not allowed here is not a broken session: the cookie stays for the routes this user may use.
    return { kind: 'denied', rule: decision.rule, routeId: decision.routeId, session, setCookies }
  }
  s.metrics.authDecision('ok', 'session')
  return { kind: 'ok', session, setCookies, routed }
}
