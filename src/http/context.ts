import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseCookies } from 'cookie'
import { bindRequest, type Logger } from '../log/logger.js'
import type { RequestOrigin } from './forwarded.js'

/** Everything a handler needs to know about one request, built once by the server. */
export interface RequestContext {
  readonly id: string
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** The request target as received (path and query, still encoded). */
  readonly rawUrl: string
  /** The encoded path of the request target, without the query. */
  readonly pathname: string
  readonly query: URLSearchParams
  readonly origin: RequestOrigin
  readonly cookies: Readonly<Record<string, string>>
  readonly log: Logger
  readonly startedAt: number
  /** Who the request was made as, once known; for the access log. */
  user: string | undefined
  /** Which upstream served it; for the access log. */
  upstream: string | undefined
}

/** Splits a request target into its encoded path and query without decoding the path. */
export function splitTarget(target: string): { pathname: string; search: string } {
  const q = target.indexOf('?')
  return q === -1 ? { pathname: target, search: '' } : { pathname: target.slice(0, q), search: target.slice(q + 1) }
}

/** Builds the request context: request id (from the trusted peer's header, else random), cookies, child logger. */
export function createContext(req: IncomingMessage, res: ServerResponse, origin: RequestOrigin, log: Logger, requestIdHeader: string): RequestContext {
  const offered = origin.trusted ? req.headers[requestIdHeader] : undefined
  const headerId = Array.isArray(offered) ? offered[0] : offered
  const id = headerId !== undefined && /^[\w.:@/+=-]{1,128}$/.test(headerId) ? headerId : randomUUID()
  const rawUrl = req.url ?? '/'
  const { pathname, search } = splitTarget(rawUrl)
  let cookies: Record<string, string> = {}
  try {
    cookies = req.headers.cookie === undefined ? {} : (parseCookies(req.headers.cookie, { decode: (v) => v }) as Record<string, string>)
  } catch {
    cookies = {}
  }
  return {
    id,
    req,
    res,
    rawUrl,
    pathname,
    query: new URLSearchParams(search),
    origin,
    cookies,
    log: bindRequest(log.child({ requestId: id }), {
      requestId: id,
      client: origin.clientIp,
      host: req.headers.host ?? '',
      method: req.method ?? '',
      protocol: `HTTP/${req.httpVersion}`,
      userAgent: req.headers['user-agent'] ?? '',
    }),
    startedAt: performance.now(),
    user: undefined,
    upstream: undefined,
  }
}
