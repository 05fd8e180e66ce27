import type { RequestContext } from '../http/context.js'
import type { ForwardExtra } from '../upstream/forward.js'
import type { UpstreamTarget } from '../upstream/table.js'
import type { SpanValue } from '../tracing/tracing.js'
import type { Services } from './services.js'

/** The W3C trace-context headers: the client's are replaced by the upstream span's own. */
const TRACE_HEADERS = ['traceparent', 'tracestate'] as const

/**
 * Forwards to the target inside an `upstream` client span whose `traceparent` the upstream receives, so its own
 * spans join the trace. Local targets (files, static answers) have no span of their own; off, a plain forward.
 */
export async function forwardTraced(ctx: RequestContext, s: Services, target: UpstreamTarget, extra: ForwardExtra): Promise<void> {
  if (!s.tracing.enabled || (target.kind !== 'http' && target.kind !== 'unix')) return s.forwarder.forward(ctx.req, ctx.res, target, extra)
  const attributes: Record<string, SpanValue> = { 'gatehouse.upstream': target.id, 'http.request.method': ctx.req.method ?? 'GET' }
  if (target.kind === 'http') attributes['server.address'] = target.url.hostname
  return s.tracing.span('upstream', 'client', attributes, async (span) => {
    const traced: ForwardExtra = {
      ...extra,
      setHeaders: { ...extra.setHeaders, ...s.tracing.outgoingHeaders() },
      removeHeaders: [...extra.removeHeaders, ...TRACE_HEADERS],
    }
    await s.forwarder.forward(ctx.req, ctx.res, target, traced)
    const status = ctx.res.statusCode
    span.set('http.response.status_code', status)
    if (status >= 500) span.error(`HTTP ${status}`)
  })
}
