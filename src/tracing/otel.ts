import type { IncomingHttpHeaders } from 'node:http'
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace'
import type { TracingSettings } from '../config/tracing-settings.js'
import { VERSION } from '../version.js'
import type { RequestSpan, SpanKindName, SpanValue, TraceSpan, Tracing } from './tracing.js'

/** The one place gatehouse loads the OpenTelemetry SDK; main.ts imports it only when tracing is on. */

/** Bound on one export to the collector: a stuck collector must not hold spans (or the shutdown) for long. */
const EXPORT_TIMEOUT_MS = 10_000

const KINDS: Record<SpanKindName, SpanKind> = { internal: SpanKind.INTERNAL, client: SpanKind.CLIENT }

/** Names and messages only: an error's other fields (a request, a response body) never reach a span. */
function exceptionOf(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) }
}

function handleOf(span: Span): TraceSpan {
  let ended = false
  return {
    set: (key: string, value: SpanValue) => void span.setAttribute(key, value),
    fail(err: unknown) {
      const exception = exceptionOf(err)
      span.recordException(exception)
      span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message })
    },
    error: (message: string) => void span.setStatus({ code: SpanStatusCode.ERROR, message }),
    end() {
      if (ended) return
      ended = true
      span.end()
    },
  }
}

function samplerOf(settings: TracingSettings): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.ratio)
  return settings.parentBased ? new ParentBasedSampler({ root: ratio }) : ratio
}

type ExporterModule = { OTLPTraceExporter: new (options: { url: string; headers: Record<string, string> }) => SpanExporter }

/** A CommonJS package imported dynamically from the bundle arrives as its `default` export; from tsc's modules, as is. */
const exporterClass = (mod: ExporterModule | { default: ExporterModule }): ExporterModule['OTLPTraceExporter'] => ('OTLPTraceExporter' in mod ? mod : mod.default).OTLPTraceExporter

/** The OTLP/HTTP exporter of the configured encoding; each is its own package, loaded only when chosen. */
async function exporterOf(settings: TracingSettings): Promise<SpanExporter> {
  const options = { url: settings.url, headers: { ...settings.headers } }
  const Exporter = exporterClass(settings.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto'))
  return new Exporter(options)
}

/**
 * Tracing over the OpenTelemetry SDK: W3C trace context in and out, a parent-based ratio sampler, spans batched to
 * an OTLP/HTTP collector. Nothing is registered globally: the context manager, propagator and tracer are this
 * module's own, so other packages' instrumentation stays untouched.
 */
export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  const contexts = new AsyncLocalStorageContextManager().enable()
  const propagator = new W3CTraceContextPropagator()
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': VERSION }),
    sampler: samplerOf(settings),
    spanProcessors: [new BatchSpanProcessor({ exporter: await exporterOf(settings), exportTimeoutMillis: EXPORT_TIMEOUT_MS, scheduledDelayMillis: settings.scheduleDelayMs })],
  })
  const tracer = provider.getTracer('gatehouse', VERSION)

  return {
    enabled: true,
    includeUser: settings.includeUser,
    request<T>(headers: IncomingHttpHeaders, name: string, attributes: Readonly<Record<string, SpanValue>>, fn: (span: RequestSpan) => T): T {
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter)
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent)
      const { traceId, spanId, traceFlags } = span.spanContext()
      // A trace that is not sampled is never exported: the access log gets no ids that lead nowhere.
      const sampled = (traceFlags & TraceFlags.SAMPLED) !== 0
      const handle: RequestSpan = { ...handleOf(span), traceId: sampled ? traceId : '', spanId: sampled ? spanId : '' }
      return contexts.with(trace.setSpan(parent, span), fn, undefined, handle)
    },
    async span<T>(name: string, kind: SpanKindName, attributes: Readonly<Record<string, SpanValue>>, fn: (span: TraceSpan) => Promise<T>): Promise<T> {
      const parent = contexts.active()
      const span = tracer.startSpan(name, { kind: KINDS[kind], attributes }, parent)
      const handle = handleOf(span)
      try {
        return await contexts.with(trace.setSpan(parent, span), fn, undefined, handle)
      } catch (err) {
        handle.fail(err)
        throw err
      } finally {
        handle.end()
      }
    },
    outgoingHeaders(): Record<string, string> {
      const carrier: Record<string, string> = {}
      propagator.inject(contexts.active(), carrier, defaultTextMapSetter)
      return carrier
    },
    async shutdown(): Promise<void> {
      await provider.shutdown()
      contexts.disable()
    },
  }
}
