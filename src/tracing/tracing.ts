import type { IncomingHttpHeaders } from 'node:http'

/** A span attribute value. */
export type SpanValue = string | number | boolean

/** What instrumented code may do with a span: gatehouse's own narrow view of OpenTelemetry's Span. */
export interface TraceSpan {
  set(key: string, value: SpanValue): void
  /** Marks the span failed with this error recorded as an exception event (message only: never a token). */
  fail(err: unknown): void
  /** Marks the span failed without an exception (e.g. a 5xx answer). */
  error(message: string): void
  end(): void
}

/** The server span of one request, with the ids the access log carries. */
export interface RequestSpan extends TraceSpan {
  readonly traceId: string
  readonly spanId: string
}

/** `client`: a call out of the process (IdP, Redis, upstream); `internal`: a step inside it. */
export type SpanKindName = 'internal' | 'client'

/**
 * The tracing port. Off, it is {@link NOOP_TRACING}: nothing allocated, no package loaded. On, `tracing/otel.ts`
 * implements it over the OpenTelemetry SDK; nothing else in src imports an OpenTelemetry package.
 */
export interface Tracing {
  readonly enabled: boolean
  /** `--otel-include-user`: personal data may go on spans. */
  readonly includeUser: boolean
  /**
   * Starts the server span of a request (continuing an incoming W3C `traceparent`, else a new trace) and runs `fn`
   * with it as the active span. The caller ends it when the response is done.
   */
  request<T>(headers: IncomingHttpHeaders, name: string, attributes: Readonly<Record<string, SpanValue>>, fn: (span: RequestSpan) => T): T
  /** Runs `fn` in a child span of the active one, ended when its promise settles; a rejection marks it failed. */
  span<T>(name: string, kind: SpanKindName, attributes: Readonly<Record<string, SpanValue>>, fn: (span: TraceSpan) => Promise<T>): Promise<T>
  /** The W3C trace-context headers (`traceparent`, `tracestate`) of the active span, for an outgoing request. */
  outgoingHeaders(): Record<string, string>
  /** Exports the spans still buffered and stops; bounded by the exporter's own timeout. */
  shutdown(): Promise<void>
}

const noop = (): void => undefined

/** The span of tracing off: one shared object, every method does nothing. */
export const NOOP_SPAN: RequestSpan = Object.freeze({ traceId: '', spanId: '', set: noop, fail: noop, error: noop, end: noop })

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>

/** Tracing off: runs the work as is, with no span and no allocation of its own. */
export const NOOP_TRACING: Tracing = Object.freeze({
  enabled: false,
  includeUser: false,
  request: <T>(_headers: IncomingHttpHeaders, _name: string, _attributes: Readonly<Record<string, SpanValue>>, fn: (span: RequestSpan) => T): T => fn(NOOP_SPAN),
  span: <T>(_name: string, _kind: SpanKindName, _attributes: Readonly<Record<string, SpanValue>>, fn: (span: TraceSpan) => Promise<T>): Promise<T> => fn(NOOP_SPAN),
  outgoingHeaders: (): Record<string, string> => NO_HEADERS,
  shutdown: async (): Promise<void> => undefined,
})
