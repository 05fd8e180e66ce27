import type { RequestContext } from '../http/context.js'
import type { SpanValue, Tracing } from './tracing.js'

/** The server span's attributes (OpenTelemetry HTTP conventions); the path only, as queries may carry secrets. */
function requestAttributes(ctx: RequestContext): Record<string, SpanValue> {
  const { req } = ctx
  const attributes: Record<string, SpanValue> = {
    'http.request.method': req.method ?? 'GET',
    'url.path': ctx.pathname,
    'url.scheme': ctx.origin.proto,
    'server.address': ctx.origin.host,
    'network.protocol.version': req.httpVersion,
    'gatehouse.request_id': ctx.id,
  }
  if (ctx.origin.clientIp !== undefined) attributes['client.address'] = ctx.origin.clientIp
  const agent = req.headers['user-agent']
  if (agent !== undefined) attributes['user_agent.original'] = agent
  return attributes
}

/**
 * Runs the request's handling inside its server span (continuing the client's `traceparent`), keeping the span on
 * the context for the access log; the span ends in {@link endRequestSpan}.
 */
export function inRequestSpan(tracing: Tracing, ctx: RequestContext, run: () => void): void {
  tracing.request(ctx.req.headers, ctx.req.method ?? 'GET', requestAttributes(ctx), (span) => {
    ctx.span = span
    run()
  })
}

/** Ends the server span with the response status; a 5xx, or a response never finished, marks it failed. */
export function endRequestSpan(ctx: RequestContext): void {
  const span = ctx.span
  if (span === undefined) return
  const status = ctx.res.statusCode
  span.set('http.response.status_code', status)
  if (ctx.upstream !== undefined) span.set('gatehouse.upstream', ctx.upstream)
  if (!ctx.res.writableFinished) span.error('response not completed')
  else if (status >= 500) span.error(`HTTP ${status}`)
  span.end()
}
