// A real OTLP/HTTP trace receiver for the tests: POST /v1/traces in the official JSON encoding or in protobuf (the
// ExportTraceServiceRequest messages, decoded field by field below), answered as a collector does.
import { createServer, type Server } from 'node:http'
import { freePort } from './process.js'

/** One received span, the same whatever the encoding; ids in lower-case hex, '' for no parent. */
export interface ReceivedSpan {
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number
  attributes: Record<string, string | number | boolean>
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  status: number
  /** The resource's `service.name`. */
  service: string
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: the base URL, as `--otel-exporter-otlp-endpoint` takes it. */
  url: string
  spans: ReceivedSpan[]
  /** The content types of the export requests received. */
  contentTypes: string[]
  /** Resolves once `found` holds for the spans received; rejects after `timeoutMs`. */
  waitFor(found: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>
  close(): Promise<void>
}

type JsonValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number }
type JsonKeyValue = { key: string; value: JsonValue }
type JsonSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: JsonKeyValue[]; status?: { code?: number } }
type JsonRequest = { resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[] }

const jsonValue = (v: JsonValue): string | number | boolean => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue ?? ''))
const jsonAttributes = (list: JsonKeyValue[] | undefined): Record<string, string | number | boolean> => Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]))

function fromJson(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as JsonRequest
  return (request.resourceSpans ?? []).flatMap((rs) => {
    const service = String(jsonAttributes(rs.resource?.attributes)['service.name'] ?? '')
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind, attributes: jsonAttributes(s.attributes), status: s.status?.code ?? 0, service })),
    )
  })
}

/** The fields of one protobuf message: field number → values (varints as bigint, length-delimited as Buffer). */
function fields(buf: Buffer): Map<number, (bigint | Buffer)[]> {
  const out = new Map<number, (bigint | Buffer)[]>()
  let at = 0
  const varint = (): bigint => {
    let value = 0n
    for (let shift = 0n; at < buf.length; shift += 7n) {
      const byte = buf[at++] as number
      value |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return value
    }
    throw new Error('truncated varint')
  }
  while (at < buf.length) {
    const key = varint()
    const field = Number(key >> 3n)
    const wire = Number(key & 7n)
    let value: bigint | Buffer
    if (wire === 0) value = varint()
    else if (wire === 1) value = buf.subarray(at, (at += 8))
    else if (wire === 5) value = buf.subarray(at, (at += 4))
    else if (wire === 2) {
      const length = Number(varint())
      value = buf.subarray(at, (at += length))
    } else throw new Error(`unsupported wire type ${wire}`)
    out.set(field, [...(out.get(field) ?? []), value])
  }
  return out
}

const bytes = (m: Map<number, (bigint | Buffer)[]>, n: number): Buffer[] => (m.get(n) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v))
const one = (m: Map<number, (bigint | Buffer)[]>, n: number): Buffer => bytes(m, n)[0] ?? Buffer.alloc(0)
const num = (m: Map<number, (bigint | Buffer)[]>, n: number): number => Number((m.get(n) ?? []).find((v) => typeof v === 'bigint') ?? 0n)

function protoAttributes(list: Buffer[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const kv of list) {
    const f = fields(kv)
    const value = fields(one(f, 2))
    // AnyValue: 1 string, 2 bool, 3 int64, 4 double.
    out[one(f, 1).toString('utf8')] = value.has(1) ? one(value, 1).toString('utf8') : value.has(2) ? num(value, 2) === 1 : value.has(3) ? num(value, 3) : value.has(4) ? one(value, 4).readDoubleLE(0) : ''
  }
  return out
}

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans: resource = 1, scope_spans = 2; ScopeSpans.spans = 2.
  return bytes(fields(body), 1).flatMap((rsBuf) => {
    const rs = fields(rsBuf)
    const service = String(protoAttributes(bytes(fields(one(rs, 1)), 1))['service.name'] ?? '')
    return bytes(rs, 2).flatMap((ssBuf) =>
      bytes(fields(ssBuf), 2).map((spanBuf) => {
        // Span: trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, attributes 9, status 15 (code = 3).
        const s = fields(spanBuf)
        return { traceId: one(s, 1).toString('hex'), spanId: one(s, 2).toString('hex'), parentSpanId: one(s, 4).toString('hex'), name: one(s, 5).toString('utf8'), kind: num(s, 6), attributes: protoAttributes(bytes(s, 9)), status: num(fields(one(s, 15)), 3), service }
      }),
    )
  })
}

/** Starts the receiver on 127.0.0.1. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const contentTypes: string[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end()
        return
      }
      const type = req.headers['content-type'] ?? ''
      contentTypes.push(type)
      const body = Buffer.concat(chunks)
      const json = type.startsWith('application/json')
      try {
        spans.push(...(json ? fromJson(body) : fromProtobuf(body)))
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err))
        return
      }
      // An ExportTraceServiceResponse without partial_success: empty, in the request's encoding.
      if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
    })
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    async waitFor(found, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs
      while (!found(spans)) {
        if (Date.now() > until) throw new Error(`the expected spans did not arrive within ${timeoutMs} ms; received: ${spans.map((s) => s.name).join(', ')}`)
        await new Promise((r) => setTimeout(r, 25))
      }
      return spans
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
