import type { RequestContext } from '../http/context.js'
import { accessLineWriter, type Logger } from './logger.js'

export interface AccessLogOptions {
  enabled: boolean
  excludePaths: readonly string[]
  /** Leave liveness and readiness probes out (`--silence-ping-logging`). */
  silencePaths: readonly string[]
}

/** Query parameters whose values are credentials and never reach a log line. */
const SECRET_PARAMS = /([?&](?:code|state|id_token|access_token|refresh_token|token|client_secret)=)[^&#]*/gi

/** A JSON string member, left out when the value is undefined (as pino leaves undefined fields out). */
const text = (name: string, value: string | undefined): string => (value === undefined ? '' : `,"${name}":${JSON.stringify(value)}`)

/** Writes one `http.request` line per finished response, with secrets removed from the URI. */
export function createAccessLog(log: Logger, options: AccessLogOptions): (ctx: RequestContext) => void {
  const skip = new Set([...options.excludePaths, ...options.silencePaths])
  const direct = accessLineWriter(log)
  return (ctx) => {
    if (!options.enabled || skip.has(ctx.pathname)) return
    const id = ctx.id
    const client = ctx.origin.clientIp
    const user = ctx.user
    const host = ctx.req.headers.host
    const method = ctx.req.method
    const uri = ctx.rawUrl.includes('=') ? ctx.rawUrl.replace(SECRET_PARAMS, '$1[redacted]') : ctx.rawUrl
    const protocol = `HTTP/${ctx.req.httpVersion}`
    const upstream = ctx.upstream
    const status = ctx.res.statusCode
    const size = Number(ctx.res.getHeader('content-length') ?? 0) || undefined
    const durationMs = Math.round((performance.now() - ctx.startedAt) * 1000) / 1000
    const userAgent = ctx.req.headers['user-agent']
    // With tracing on, the line leads to its trace (sampled traces only; undefined fields are left out).
    const traceId = ctx.span?.traceId || undefined
    const spanId = ctx.span?.spanId || undefined
    if (direct === undefined) {
      log.info({ event: 'http.request', requestId: id, client, user, host, method, uri, protocol, upstream, status, size, durationMs, userAgent, traceId, spanId })
      return
    }
    // The members pino would write, in its order, built directly: this line is written for every request.
    direct(
      `,"event":"http.request"${text('requestId', id)}${text('client', client)}${text('user', user)}${text('host', host)}${text('method', method)}` +
        `${text('uri', uri)}${text('protocol', protocol)}${text('upstream', upstream)},"status":${status}${size === undefined ? '' : `,"size":${size}`}` +
        `,"durationMs":${durationMs}${text('userAgent', userAgent)}${text('traceId', traceId)}${text('spanId', spanId)}`,
    )
  }
}
