import { compilePath } from './predicates.js'
import type { PathMatchSpec, RouteSpec, RoutesSpec, RuleSpec } from './spec.js'

/** True when every host `inner` names is also matched by `outer` (undefined: any host). */
function hostsCover(outer: readonly string[] | undefined, inner: readonly string[] | undefined): boolean {
  if (outer === undefined) return true
  if (inner === undefined) return false
  const coversOne = (h: string): boolean =>
    outer.some((o) => o === h || (o.startsWith('*.') && (h.startsWith('*.') ? h.slice(1).endsWith(o.slice(1)) : h.endsWith(o.slice(1)) && h.length > o.length - 1)))
  return inner.every(coversOne)
}

function methodsCover(outer: readonly string[] | undefined, inner: readonly string[] | undefined): boolean {
  if (outer === undefined) return true
  if (inner === undefined) return false
  return inner.every((m) => outer.includes(m))
}

/** True when every path `inner` matches is also matched by `outer`; regexes only when written identically. */
function pathCovers(outer: PathMatchSpec | undefined, inner: PathMatchSpec | undefined): boolean {
  if (outer === undefined) return true
  if (inner === undefined) return false
  if ('regex' in outer) return 'regex' in inner && inner.regex === outer.regex
  const test = compilePath(outer)
  if ('exact' in inner) return test(inner.exact)
  if ('prefix' in inner) return test(inner.prefix) && test(inner.prefix.endsWith('/') ? `${inner.prefix}x` : `${inner.prefix}/x`)
  return false
}

/** True when `a` and `b` can never match the same path (only decided for exact and prefix forms). */
function pathsDisjoint(a: PathMatchSpec, b: PathMatchSpec): boolean {
  if ('regex' in a || 'regex' in b) return false
  const ta = compilePath(a)
  const tb = compilePath(b)
  const probe = (m: PathMatchSpec): string => ('exact' in m ? m.exact : (m as { prefix: string }).prefix)
  return !ta(probe(b)) && !tb(probe(a))
}

/** A rule with no condition but `authenticated`: it matches every signed-in user. */
function unconditional(rule: RuleSpec): boolean {
  return Object.keys(rule).every((k) => k === 'name' || k === 'authenticated')
}

function ruleWarnings(route: RouteSpec, i: number): string[] {
  const out: string[] = []
  const policy = route.policy
  if (policy === undefined) return out
  const where = `routes[${i}] (${route.id})`
  const kinds = [['deny', policy.deny ?? []], ['allow', policy.allow ?? []]] as const
  for (const [kind, rules] of kinds) {
    rules.forEach((rule, j) => {
      const at = `${where}: policy.${kind}[${j}]`
      if (rule.methods !== undefined && route.methods !== undefined && !rule.methods.some((m) => route.methods?.includes(m))) {
        out.push(`${at} can never match: its methods are not among the route's (${route.methods.join(', ')})`)
      } else if (rule.paths !== undefined && route.path !== undefined && rule.paths.every((p) => pathsDisjoint(p, route.path as PathMatchSpec))) {
        out.push(`${at} can never match: its paths lie outside the route's path`)
      } else if (kind === 'allow' && rules.slice(0, j).some(unconditional)) {
        out.push(`${at} can never decide: an earlier allow rule matches every signed-in user`)
      }
    })
  }
  const firstDeny = (policy.deny ?? []).findIndex(unconditional)
  if (firstDeny !== -1 && (policy.allow ?? []).length > 0) out.push(`${where}: policy.deny[${firstDeny}] matches every signed-in user, so no allow rule can ever let anyone in`)
  if ((policy.allow ?? []).length === 0) out.push(`${where}: the policy has no allow rule, so every signed-in user is denied`)
  return out
}

/** Load-time warnings: routes an earlier route shadows entirely, and rules that can never match or decide. */
export function analyzeRoutes(routes: RoutesSpec): string[] {
  const out: string[] = []
  routes.forEach((route, j) => {
    const shadow = routes.slice(0, j).findIndex((earlier) => hostsCover(earlier.hosts, route.hosts) && methodsCover(earlier.methods, route.methods) && pathCovers(earlier.path, route.path))
    if (shadow !== -1) out.push(`routes[${j}] (${route.id}) is never used: routes[${shadow}] (${routes[shadow]?.id ?? ''}) comes first and matches every request it would`)
    out.push(...ruleWarnings(route, j))
  })
  return out
}
