import type { RequestContext } from './context.js'
import { NO_CACHE_HEADERS } from './reply.js'
import type { Handler } from './server.js'

export interface Route {
  path: string
  handler: Handler
  /** Adds oauth2-proxy's no-cache headers (every prefix endpoint but /auth, which nginx may cache briefly). */
  noCache?: boolean
}

/** Builds the route table: exact (still-encoded) paths first, then the catch-all. Imports no handler itself. */
export function createRouter(routes: readonly Route[], fallback: Handler): Handler {
  const table = new Map<string, Route>()
  for (const route of routes) table.set(route.path, route)
  return (ctx: RequestContext) => {
    const route = table.get(ctx.pathname)
    if (route === undefined) return fallback(ctx)
    if (route.noCache === true) for (const [name, value] of Object.entries(NO_CACHE_HEADERS)) ctx.res.setHeader(name, value)
    return route.handler(ctx)
  }
}
