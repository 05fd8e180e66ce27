import type { CanonicalRequest } from './canonical.js'
import type { Identity } from './predicates.js'
import type { CompiledRoute, RouteTable } from './route-table.js'

/** A route policy's verdict and the rule that decided it, for the log, the metrics and `gatehouse policy test`. */
export interface Decision {
  readonly allow: boolean
  readonly routeId: string
  /** `routes[1].policy.deny[0]`, `routes[1].policy.allow[2] (name)`, `no-allow-matched`, `authenticated` or `public`. */
  readonly rule: string
}

/** The rule label when a policy lists allow rules and none matched (or lists none at all). */
export const NO_ALLOW_MATCHED = 'no-allow-matched'
/** The rule label of a route without a policy: any signed-in user the global rules let in. */
export const AUTHENTICATED = 'authenticated'

/** A signed-in identity against a route's policy: deny rules first (deny beats allow), then the first allow rule. */
export function decideRoute(route: CompiledRoute, identity: Identity, request: CanonicalRequest): Decision {
  for (const rule of route.deny) if (rule.test(identity, request)) return { allow: false, routeId: route.id, rule: rule.label }
  if (route.allow === undefined) return { allow: true, routeId: route.id, rule: AUTHENTICATED }
  for (const rule of route.allow) if (rule.test(identity, request)) return { allow: true, routeId: route.id, rule: rule.label }
  return { allow: false, routeId: route.id, rule: NO_ALLOW_MATCHED }
}

/** What the route table says about a request before and after sign-in. */
export type Evaluation =
  | { kind: 'no-route' }
  | { kind: 'public'; route: CompiledRoute }
  | { kind: 'needs-login'; route: CompiledRoute }
  | { kind: 'decided'; route: CompiledRoute; decision: Decision }

/**
 * The one question both the server and `gatehouse policy test` ask: which route, and may this identity (undefined
 * when not signed in) go there?
 */
export function evaluate(table: RouteTable, request: CanonicalRequest, identity: Identity | undefined): Evaluation {
  const route = table.find(request)
  if (route === undefined) return { kind: 'no-route' }
  if (route.public) return { kind: 'public', route }
  if (identity === undefined) return { kind: 'needs-login', route }
  return { kind: 'decided', route, decision: decideRoute(route, identity, request) }
}
