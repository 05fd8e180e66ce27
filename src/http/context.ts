import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseCookies } from 'cookie'
import { bindRequest, type Logger } from '../log/logger.js'
import type { RequestSpan } from '../tracing/tracing.js'
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
  /** The query as oauth2-proxy's Go code reads it (see {@link goQuery}). */
  readonly query: URLSearchParams
  /**
   * True when the query has a `;` and `--allow-query-semicolons` is off: Go's ParseForm then fails, and the endpoints
   * that call it (sign-in, start, callback, sign-out) answer with an error page, as oauth2-proxy does.
   */
  readonly querySemicolonError: boolean
  readonly origin: RequestOrigin
  readonly cookies: Readonly<Record<string, string>>
  readonly log: Logger
  readonly startedAt: number
  /** Who the request was made as, once known; for the access log. */
  user: string | undefined
  /** Which upstream served it; for the access log. */
  upstream: string | undefined
  /** The request's server span when tracing is on (its ids go into the access log). */
  span: RequestSpan | undefined
}

/** Splits a request target into its encoded path and query without decoding the path. */
export function splitTarget(target: string): { pathname: string; search: string } {
  const q = target.indexOf('?')
  return q === -1 ? { pathname: target, search: '' } : { pathname: target.slice(0, q), search: target.slice(q + 1) }
}

/**
 * The query as Go reads it (golang.org/issue/25192): with `--allow-query-semicolons`, `;` separates pairs like `&`
 * (http.AllowQuerySemicolons); without it, every `&`-separated pair that holds a `;` is dropped (url.ParseQuery).
 */
export function goQuery(search: string, allowSemicolons: boolean): URLSearchParams {
  if (!search.includes(';')) return new URLSearchParams(search)
  if (allowSemicolons) return new URLSearchParams(search.replaceAll(';', '&'))
  return new URLSearchParams(search.split('&').filter((pair) => !pair.includes(';')).join('&'))
}

function semicolonsToAmpersands(target: string): string {
  const q = target.indexOf('?')
  return q === -1 ? target : target.slice(0, q + 1) + target.slice(q + 1).replaceAll(';', '&')
}

/** A request id a trusted peer may hand over (`--request-id-header`); anything else gets a fresh UUID. */
const OFFERED_ID = /^[\w.:@/+=-]{1,128}$/

const NO_COOKIES: Readonly<Record<string, string>> = Object.freeze({})

function readCookies(header: string | undefined): Readonly<Record<string, string>> {
  if (header === undefined) return NO_COOKIES
  try {
    return parseCookies(header, { decode: (v) => v }) as Record<string, string>
  } catch {
    return NO_COOKIES
  }
}

/**
 * The context of one request. Its query and its child logger are built on first use: most proxied requests read
 * neither (a child logger costs a bindings serialization and redaction setup per request).
 */
class Context implements RequestContext {
  readonly id: string
  readonly rawUrl: string
  readonly pathname: string
  readonly cookies: Readonly<Record<string, string>>
  readonly startedAt: number
  user: string | undefined = undefined
  upstream: string | undefined = undefined
  span: RequestSpan | undefined = undefined
  #search: string
  #query: URLSearchParams | undefined = undefined
  #log: Logger | undefined = undefined
  readonly #parentLog: Logger

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly origin: RequestOrigin,
    log: Logger,
    requestIdHeader: string,
    readonly allowQuerySemicolons: boolean,
  ) {
    this.startedAt = performance.now()
    const offered = origin.trusted ? req.headers[requestIdHeader] : undefined
    const headerId = Array.isArray(offered) ? offered[0] : offered
    this.id = headerId !== undefined && OFFERED_ID.test(headerId) ? headerId : randomUUID()
    this.rawUrl = req.url ?? '/'
    const q = this.rawUrl.indexOf('?')
    this.pathname = q === -1 ? this.rawUrl : this.rawUrl.slice(0, q)
    this.#search = q === -1 ? '' : this.rawUrl.slice(q + 1)
    this.cookies = readCookies(req.headers.cookie)
    this.#parentLog = log
  }

  get query(): URLSearchParams {
    this.#query ??= goQuery(this.#search, this.allowQuerySemicolons)
    return this.#query
  }

  get querySemicolonError(): boolean {
    return !this.allowQuerySemicolons && this.#search.includes(';')
  }

  get log(): Logger {
    if (this.#log === undefined) {
      const { req, id } = this
      this.#log = bindRequest(this.#parentLog.child({ requestId: id }), {
        requestId: id,
        client: this.origin.clientIp,
        host: req.headers.host ?? '',
        method: req.method ?? '',
        protocol: `HTTP/${req.httpVersion}`,
        userAgent: req.headers['user-agent'] ?? '',
      })
    }
    return this.#log
  }
}

/** Builds the request context: request id (from the trusted peer's header, else random), cookies, child logger. */
export function createContext(req: IncomingMessage, res: ServerResponse, origin: RequestOrigin, log: Logger, requestIdHeader: string, allowQuerySemicolons = false): RequestContext {
  // http.AllowQuerySemicolons rewrites the URL oauth2-proxy builds its after-login redirect from, not a forwarded URI.
  const uri = allowQuerySemicolons && origin.uri === req.url && origin.uri.includes(';') ? semicolonsToAmpersands(origin.uri) : origin.uri
  return new Context(req, res, uri === origin.uri ? origin : { ...origin, uri }, log, requestIdHeader, allowQuerySemicolons)
}
