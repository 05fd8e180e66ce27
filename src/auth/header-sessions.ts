import type { Session } from '../session/session.js'
import type { RequestLog } from './authenticate.js'

/** Reads a session from an Authorization header value, or finds none (a loader may throw a 4xx ProxyError). */
export type HeaderSessionLoader = (authorization: string, request: RequestLog) => Promise<Session | undefined>

/**
 * oauth2-proxy's session chain before the cookie: the bearer JWT loader, then (gatehouse) token introspection, then
 * the htpasswd Basic loader; the first that finds a session wins. Undefined when no loader is configured, so requests skip the header entirely.
 */
export function chainHeaderSessions(loaders: ReadonlyArray<HeaderSessionLoader | undefined>): HeaderSessionLoader | undefined {
  const active = loaders.filter((l): l is HeaderSessionLoader => l !== undefined)
  if (active.length === 0) return undefined
  return async (authorization, request) => {
    for (const load of active) {
      const session = await load(authorization, request)
      if (session !== undefined) return session
    }
    return undefined
  }
}
