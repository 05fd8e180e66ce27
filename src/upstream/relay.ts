import type { ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import { connectionTokens, HOP_BY_HOP } from './hop-by-hop.js'
import type { ResponseHeaders } from './local-response.js'

/** gRPC status fields a "trailers-only" answer carries in its only header block (PROTOCOL-HTTP2.md). */
const GRPC_STATUS_FIELDS: ReadonlySet<string> = new Set(['grpc-status', 'grpc-message', 'grpc-status-details-bin'])

/** A raw header name or value from undici: a Buffer on HTTP/1.1 and HTTP/2 alike, read byte for byte. */
type RawField = Buffer | string

const text = (field: RawField): string => (typeof field === 'string' ? field : field.toString('latin1'))

/** The response header block to send the client, and how to send it. */
export interface RelayedHeaders {
  /** `[name, value, ...]`, names lower-cased, the upstream's order and duplicates kept. */
  headers: string[]
  /** Send the headers at once: an event stream or a gRPC answer. */
  flush: boolean
  /** The upstream announced trailers on a chunked answer. */
  trailers: boolean
  /** A gRPC trailers-only answer relayed to an HTTP/2 client: its status fields, to send as trailers. */
  movedTrailers?: Array<[string, string]>
}

/**
 * The upstream's response headers minus hop-by-hop ones (RFC 9110 §7.6.1, and whatever its Connection header lists),
 * then the caller's (appended, as Go's `Header.Add`). For an HTTP/2 client, a gRPC "trailers-only" answer (status in
 * the headers, the stream ended with them) is relayed as headers plus trailers: the body's end is a separate frame
 * once proxied, and gRPC clients read the status there.
 */
export function relayedHeaders(raw: readonly RawField[], extra: ResponseHeaders, h2Client: boolean): RelayedHeaders {
  let headers: string[] = []
  let connection: string[] | undefined
  let trailer: string | undefined
  let type = ''
  let hasLength = false
  let grpcStatus = false
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = text(raw[i] as RawField).toLowerCase()
    const value = text(raw[i + 1] as RawField)
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') (connection ??= []).push(value)
      else if (name === 'trailer') trailer = trailer === undefined ? value : `${trailer}, ${value}`
      continue
    }
    if (name === 'content-type') type = type === '' ? value : type
    else if (name === 'content-length') hasLength = true
    else if (name === 'grpc-status') grpcStatus = true
    headers.push(name, value)
  }
  // Names the Connection header lists are hop-by-hop too (`keep-alive` and `close` already are, the usual case).
  if (connection !== undefined) {
    const listed = connectionTokens(connection)
    if ([...listed].some((token) => !HOP_BY_HOP.has(token))) headers = withoutNames(headers, listed)
  }
  const lowerType = type.toLowerCase()
  let movedTrailers: Array<[string, string]> | undefined
  if (h2Client && grpcStatus && lowerType.startsWith('application/grpc')) {
    movedTrailers = []
    const kept: string[] = []
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i] as string
      if (GRPC_STATUS_FIELDS.has(name)) movedTrailers.push([name, headers[i + 1] as string])
      else kept.push(name, headers[i + 1] as string)
    }
    headers = kept
  }
  for (const name in extra) {
    const value = extra[name] as string | string[]
    if (typeof value === 'string') headers.push(name, value)
    else for (const one of value) headers.push(name, one)
  }
  const flush = lowerType.startsWith('text/event-stream') || lowerType.startsWith('application/grpc')
  // Trailers survive only on a chunked answer; re-announce them as Go's ReverseProxy does.
  const trailers = trailer !== undefined && !hasLength
  if (trailer !== undefined && trailers) headers.push('trailer', trailer)
  return movedTrailers === undefined ? { headers, flush, trailers } : { headers, flush, trailers, movedTrailers }
}

/** A flat `[name, value, ...]` list without the pairs whose (lower-case) name is in `names`. */
function withoutNames(flat: readonly string[], names: ReadonlySet<string>): string[] {
  const kept: string[] = []
  for (let i = 0; i + 1 < flat.length; i += 2) if (!names.has(flat[i] as string)) kept.push(flat[i] as string, flat[i + 1] as string)
  return kept
}

/** Trailers as a header object (what both HTTP/1.1's and HTTP/2's `addTrailers` take): HTTP/1.1 hands a raw list, HTTP/2 an object. */
function trailerRecord(raw: unknown, moved: Array<[string, string]> | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>
  const add = (name: string, value: string): void => {
    const prior = out[name]
    out[name] = prior === undefined ? value : typeof prior === 'string' ? [prior, value] : [...prior, value]
  }
  if (moved !== undefined) for (const [name, value] of moved) add(name, value)
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) add(text(raw[i] as RawField).toLowerCase(), text(raw[i + 1] as RawField))
  } else if (raw !== null && typeof raw === 'object') {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      if (Array.isArray(value)) for (const one of value) add(name, String(one))
      else if (value !== undefined) add(name, String(value))
    }
  }
  return out
}

/** What the forwarder learns from one relay: the upstream's headers arrived (or never will), and the relay is over. */
export interface RelayOutcome {
  /** The upstream answered with headers: for the upstream latency metric. */
  answered(): void
  /** The upstream failed before its headers; `clientGone` when the client had already left (nobody to answer). */
  failed(err: Error, clientGone: boolean): void
  /** The relay is over: the answer was relayed, cut off mid-way, or abandoned by the client. */
  done(): void
  /** The headers could not be written (a caller's invalid header): the upstream call is dropped. */
  unwritable(err: unknown): void
}

/**
 * undici's dispatch handler for one proxied request: the upstream's answer goes straight into the client's response,
 * with backpressure both ways, and no intermediate body stream, promise or header object. A client that leaves aborts
 * the upstream request; an upstream that fails after the headers cuts the client's answer off.
 */
export class UpstreamRelay implements Dispatcher.DispatchHandler {
  #abort: ((reason: Error) => void) | undefined = undefined
  #resume: (() => void) | undefined = undefined
  #headersSent = false
  #clientGone = false
  #over = false
  #trailers = false
  #moved: Array<[string, string]> | undefined = undefined
  readonly #onClientClose = (): void => {
    if (this.#over || this.res.writableEnded) return
    this.#clientGone = true
    this.#abort?.(new Error('the client closed the connection'))
  }

  readonly #onDrain = (): void => this.#resume?.()

  constructor(
    private readonly res: ServerResponse,
    private readonly extra: ResponseHeaders,
    private readonly h2Client: boolean,
    private readonly outcome: RelayOutcome,
  ) {
    res.once('close', this.#onClientClose)
  }

  onConnect(abort: (reason: Error) => void): void {
    this.#abort = abort
    if (this.#clientGone) abort(new Error('the client closed the connection'))
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx interim answers (100 Continue, 103 Early Hints) are not relayed, as the final answer follows.
    if (statusCode < 200) return true
    this.#resume = resume
    this.outcome.answered()
    const out = relayedHeaders(rawHeaders, this.extra, this.h2Client)
    try {
      // undici's parser already refuses malformed upstream headers; this guards the caller's own.
      this.res.writeHead(statusCode, out.headers)
    } catch (err) {
      this.#finish()
      this.#abort?.(new Error('the answer could not be relayed'))
      this.outcome.unwritable(err)
      return false
    }
    this.#headersSent = true
    this.#trailers = out.trailers
    this.#moved = out.movedTrailers
    // An event stream or a gRPC stream must reach the client before its first message; everything else flushes with its first chunk.
    if (out.flush) this.res.flushHeaders()
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.#over) return true
    if (this.res.write(chunk)) return true
    this.res.once('drain', this.#onDrain)
    return false
  }

  onComplete(rawTrailers: unknown): void {
    if (this.#over) return
    // HTTP/2 carries trailers on any response, announced or not (gRPC's grpc-status never is); HTTP/1.1 only when chunked.
    if (this.#trailers || this.h2Client) {
      const trailers = trailerRecord(rawTrailers, this.#moved)
      for (const _ in trailers) {
        this.res.addTrailers(trailers)
        break
      }
    }
    this.#finish()
    this.res.end()
    this.outcome.done()
  }

  onError(err: Error): void {
    if (this.#over) return
    this.#finish()
    if (this.#headersSent) {
      // A mid-stream failure: the client sees a cut-off answer.
      this.res.destroy()
      this.outcome.done()
      return
    }
    this.outcome.failed(err, this.#clientGone || this.res.destroyed)
  }

  #finish(): void {
    this.#over = true
    this.res.off('close', this.#onClientClose)
    this.res.off('drain', this.#onDrain)
  }
}
