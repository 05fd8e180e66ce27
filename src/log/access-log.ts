import type { RequestContext } from '../http/context.js'
import type { Logger } from './logger.js'

export interface AccessLogOptions {
  enabled: boolean
  excludePaths: readonly string[]
  /** Leave liveness and readiness probes out (`--silence-ping-logging`). */
  silencePaths: readonly string[]
}

/** Query parameters whose values are credentials and never reach a log line. */
const SECRET_PARAMS = /([?&](?:code|state|id_token|access_token|refresh_token|token|client_secret)=)[^&#]*/gi

/** Writes one `http.request` line per finished response, with secrets removed from the URI. */
export function createAccessLog(log: Logger, options: AccessLogOptions): (ctx: RequestContext) => void {
  const skip = new Set([...options.excludePaths, ...options.silencePaths])
  return (ctx) => {
    if (!options.enabled || skip.has(ctx.pathname)) return
    log.info({
      event: 'http.request',
      requestId: ctx.id,
      client: ctx.origin.clientIp,
      user: ctx.user,
      host: ctx.req.headers.host,
      method: ctx.req.method,
      uri: ctx.rawUrl.includes('=') ? ctx.rawUrl.replace(SECRET_PARAMS, '$1[redacted]') : ctx.rawUrl,
      protocol: `HTTP/${ctx.req.httpVersion}`,
      upstream: ctx.upstream,
      status: ctx.res.statusCode,
      size: Number(ctx.res.getHeader('content-length') ?? 0) || undefined,
      durationMs: Math.round((performance.now() - ctx.startedAt) * 1000) / 1000,
      userAgent: ctx.req.headers['user-agent'],
      // With tracing on, the line leads to its trace (sampled traces only; pino leaves undefined fields out).
      traceId: ctx.span?.traceId || undefined,
      spanId: ctx.span?.spanId || undefined,
    })
  }
}
