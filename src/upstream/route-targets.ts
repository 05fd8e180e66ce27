import { ConfigError, type ConfigIssue } from '../errors.js'
import type { CompiledRoute } from '../policy/route-table.js'
import { isUpstreamUrl } from '../policy/spec.js'
import { parseUpstream, type UpstreamTarget, type UpstreamTable } from './table.js'

/**
 * Each route's own upstream, by route id: the configured upstream it names, or one built from its URL. A route
 * without `upstream` is absent and goes through the path-based upstream table, as configs without routes do.
 */
export function createRouteTargets(routes: readonly CompiledRoute[], table: UpstreamTable): ReadonlyMap<string, UpstreamTarget> {
  const out = new Map<string, UpstreamTarget>()
  const issues: ConfigIssue[] = []
  for (const route of routes) {
    const upstream = route.upstream
    if (upstream === undefined) continue
    if (!isUpstreamUrl(upstream)) {
      const target = table.targets.find((t) => t.id === upstream)
      if (target === undefined) issues.push({ option: `routes[${route.index}].upstream`, value: upstream, message: 'unknown upstream id' })
      else out.set(route.id, target)
      continue
    }
    const parsed = parseUpstream(upstream)
    if ('message' in parsed || parsed.kind !== 'http') {
      issues.push({ option: `routes[${route.index}].upstream`, value: upstream, message: 'message' in parsed ? parsed.message : 'an upstream URL must be http:// or https://' })
      continue
    }
    // The route's id names its upstream in metrics and the access log.
    out.set(route.id, Object.freeze({ ...parsed, id: route.id, path: '/', exact: false }))
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return out
}
