import type { CanonicalRequest } from './canonical.js'
import { compilePath, compileRule, type CompiledRule, type PathPredicate } from './predicates.js'
import type { RouteSpec, RoutesSpec } from './spec.js'

/** A route's own identity assertion: off (`false`), or on with its audience (undefined: the default audience). */
export type RouteAssertion = false | { readonly audience: string | undefined }

/** One route, compiled: plain predicates and precomputed sets, ready for the hot path. */
export interface CompiledRoute {
  readonly id: string
  readonly index: number
  readonly public: boolean
  /** Undefined: every signed-in user the global rules let in may pass. */
  readonly allow: readonly CompiledRule[] | undefined
  readonly deny: readonly CompiledRule[]
  /** The route's upstream as written (an upstream id or a URL); undefined means the path-based upstream table. */
  readonly upstream: string | undefined
  /** Provider ids whose sessions this route accepts; undefined: any (a session of another is no session here). */
  readonly providers: readonly string[] | undefined
  /** Undefined: `--set-identity-assertion` decides, as for a request no route governs. */
  readonly assertion: RouteAssertion | undefined
  readonly spec: RouteSpec
  matchesHost(host: string): boolean
  matchesPath: PathPredicate
  matchesMethod(method: string): boolean
}

/** The routes in order, with a lookup that never compiles anything per request. */
export interface RouteTable {
  readonly routes: readonly CompiledRoute[]
  /** The first route, in file order, whose host, path and methods match the canonical request. */
  find(request: Pick<CanonicalRequest, 'host' | 'path' | 'method'>): CompiledRoute | undefined
}

const ANY = (): boolean => true

function hostMatcher(hosts: readonly string[] | undefined): (host: string) => boolean {
  if (hosts === undefined) return ANY
  const exact = new Set(hosts.filter((h) => !h.startsWith('*.')))
  // `*.example.com` covers every name under example.com (a.example.com, a.b.example.com), not example.com itself.
  const suffixes = hosts.filter((h) => h.startsWith('*.')).map((h) => h.slice(1))
  if (suffixes.length === 0) return (host) => exact.has(host)
  return (host) => exact.has(host) || suffixes.some((s) => host.endsWith(s) && host.length > s.length)
}

function routeAssertion(spec: RouteSpec['identityAssertion']): RouteAssertion | undefined {
  if (spec === undefined || spec === false) return spec
  return Object.freeze({ audience: spec === true ? undefined : spec.audience })
}

function compileRoute(spec: RouteSpec, index: number): CompiledRoute {
  const base = `routes[${index}].policy`
  const methods = spec.methods === undefined ? undefined : new Set(spec.methods)
  return Object.freeze({
    id: spec.id,
    index,
    public: spec.public === true,
    allow: spec.policy === undefined ? undefined : Object.freeze((spec.policy.allow ?? []).map((r, i) => compileRule(r, `${base}.allow[${i}]`))),
    deny: Object.freeze((spec.policy?.deny ?? []).map((r, i) => compileRule(r, `${base}.deny[${i}]`))),
    upstream: spec.upstream,
    providers: spec.providers,
    assertion: routeAssertion(spec.identityAssertion),
    spec,
    matchesHost: hostMatcher(spec.hosts),
    matchesPath: spec.path === undefined ? ANY : compilePath(spec.path),
    matchesMethod: methods === undefined ? ANY : (m: string) => methods.has(m),
  })
}

/** Bound on the per-host candidate cache: hosts come from clients, so the cache must not grow with them. */
const HOST_CACHE_LIMIT = 1024

/** Compiles the routes once; lookups go through a bounded per-host list of candidate routes. */
export function compileRouteTable(spec: RoutesSpec): RouteTable {
  const routes = Object.freeze(spec.map(compileRoute))
  const byHost = new Map<string, readonly CompiledRoute[]>()
  const candidates = (host: string): readonly CompiledRoute[] => {
    let hit = byHost.get(host)
    if (hit === undefined) {
      hit = routes.filter((r) => r.matchesHost(host))
      if (byHost.size >= HOST_CACHE_LIMIT) byHost.clear()
      byHost.set(host, hit)
    }
    return hit
  }
  return {
    routes,
    find(request) {
      for (const route of candidates(request.host)) {
        if (route.matchesMethod(request.method) && route.matchesPath(request.path)) return route
      }
      return undefined
    },
  }
}
