// The shapes of a routed request, shared by the gates, the proxy handler and the services (types only, so that the
// handlers that use them do not import each other).
import type { CanonicalRequest } from '../policy/canonical.js'
import type { CompiledRoute, RouteTable } from '../policy/route-table.js'
import type { UpstreamTarget } from '../upstream/table.js'

/** The routes of `--alpha-config`, compiled once: the table and each route's own upstream. */
export interface RoutesRuntime {
  table: RouteTable
  /** By route id; a route absent here uses the path-based upstream table. */
  targets: ReadonlyMap<string, UpstreamTarget>
}

/** Where a routed request goes: the route, the canonical request (its path is the one proxied), its own upstream. */
export interface Routed {
  route: CompiledRoute
  request: CanonicalRequest
  target: UpstreamTarget | undefined
}
