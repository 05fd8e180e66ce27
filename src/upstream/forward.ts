import { EventEmitter } from 'node:events'
import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex, Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { ProxyError } from '../errors.js'
import { createFileServer } from './file-server.js'
import { signUpstreamRequest, type GapSigner } from './gap-signature.js'
import { connectionTokens, isHopByHop } from './hop-by-hop.js'
import { sendStatic, type ResponseHeaders } from './local-response.js'
import type { UpstreamRequester } from './h2-trailers.js'
import { createPools, type PoolKey, type PoolOptions, type Pools } from './pools.js'
import { buildRequestHeaders } from './request-headers.js'
import type { UpstreamOptions, UpstreamTarget } from './table.js'
import { closeSoon, tunnelWebSocket, writeRawStatus } from './websocket.js'

/** Upstream settings for targets without options of their own (`--pass-host-header`, `--upstream-timeout`, ...). */
export interface ForwardOptions {
  passHostHeader: boolean
  insecureSkipVerify: boolean
  /** Time to wait for the upstream's response headers once the request is sent. */
  timeoutMs: number
  /** Informational: responses are flushed as data arrives. */
  flushIntervalMs: number
  keepAlive: boolean
  proxyWebSockets: boolean
  /** Told the time to each upstream's response headers (or to its failure), by upstream id; for metrics. */
  onUpstreamResponse?: (upstream: string, outcome: 'ok' | 'error', seconds: number) => void
  /** `--signature-key`: sign each upstream request with `GAP-Signature` (its body is read whole first). */
  signRequest?: GapSigner
}

/** What the caller adds to a proxied request and its response. */
export interface ForwardExtra {
  setHeaders: Readonly<Record<string, string>>
  removeHeaders: readonly string[]
  responseHeaders: Record<string, string | string[]>
}

/** Streams requests to upstreams and answers back; translates every upstream failure into a ProxyError. */
export interface Forwarder {
  /** Streams req to the target and the answer back into res. Request headers: `setHeaders` are set after `removeHeaders` are deleted (case-insensitive). */
  forward(req: IncomingMessage, res: ServerResponse, target: UpstreamTarget, extra: ForwardExtra): Promise<void>
  /** Tunnels a WebSocket upgrade to the target, or answers the request over the socket when it cannot be tunnelled. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: UpstreamTarget, extra: Omit<ForwardExtra, 'responseHeaders'>): Promise<void>
  /** The ids of the pools these targets use, for `Pools.prune` after a reload. */
  poolIds(targets: readonly UpstreamTarget[]): string[]
  /** Closes the upstream connection pools when this forwarder created them (not the shared ones it was given). */
  close(): Promise<void>
}

type RemoteTarget = Extract<UpstreamTarget, { kind: 'http' | 'unix' }>

/**
 * Creates the forwarder: one undici Pool per upstream origin, streaming both ways. `shared` pools outlive this
 * forwarder (one forwarder per compiled runtime, one pool registry per process).
 */
export function createForwarder(options: ForwardOptions, shared?: Pools): Forwarder {
  const pools = shared ?? createPools()
  const files = createFileServer()
  const optionsOf = (target: UpstreamTarget): UpstreamOptions => target.options ?? options

  const poolKey = (target: RemoteTarget): PoolKey => (target.kind === 'unix' ? { kind: 'unix', socketPath: target.socketPath } : { kind: 'http', url: target.url })
  /** A target's connection settings: its own (alpha per-upstream options), else the forwarder's. */
  const poolOptions = (target: RemoteTarget): PoolOptions => {
    const o = optionsOf(target)
    return { insecureSkipVerify: o.insecureSkipVerify, timeoutMs: o.timeoutMs }
  }
  /** Each target's pool and TLS server name, looked up once: the table's targets live as long as their runtime. */
  let byTarget = new WeakMap<RemoteTarget, { pool: UpstreamRequester; servername: string | undefined }>()
  function poolFor(target: RemoteTarget): { pool: UpstreamRequester; servername: string | undefined } {
    let hit = byTarget.get(target)
    if (hit === undefined) {
      const key = poolKey(target)
      hit = { pool: pools.get(key, poolOptions(target)), servername: pools.servername(key) }
      byTarget.set(target, hit)
    }
    return hit
  }

  /** Host for the upstream request: the client's (pass_host_header) or the target's; unix sockets use `localhost` as Go does. */
  function hostFor(req: IncomingMessage, target: RemoteTarget): string {
    const client = req.headers.host
    if (optionsOf(target).passHostHeader && client !== undefined && client !== '') return client
    return target.kind === 'unix' ? 'localhost' : target.url.host
  }

  async function proxy(req: IncomingMessage, res: ServerResponse, target: RemoteTarget, extra: ForwardExtra, withBody: boolean): Promise<void> {
    // The client may have left while the request was authenticated (a Redis load, an IdP refresh): nobody to answer.
    if (res.destroyed) return
    const { pool, servername } = poolFor(target)
    const o = optionsOf(target)
    const headers = buildRequestHeaders(req, { host: hostFor(req, target), setHeaders: extra.setHeaders, removeHeaders: extra.removeHeaders })
    // undici takes an EventEmitter as its abort signal; an AbortController per request costs far more.
    const abort = new EventEmitter()
    let aborted = false
    const onClose = (): void => {
      if (res.writableEnded) return
      aborted = true
      abort.emit('abort')
    }
    res.once('close', onClose)
    // undici reads the client body as it is (backpressure both ways); on failure it detaches the socket
    // before destroying the stream, so the client still gets its 502.
    const clientBody = withBody && hasBody(req) ? req : null
    const body = options.signRequest === undefined ? clientBody : await signUpstreamRequest(options.signRequest, req, headers, clientBody)
    const request: Dispatcher.RequestOptions & { servername?: string } = {
      path: req.url ?? '/',
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers,
      body,
      signal: abort,
      headersTimeout: o.timeoutMs,
      bodyTimeout: 0,
      reset: !o.keepAlive,
    }
    if (servername !== undefined) request.servername = servername

    let response: Dispatcher.ResponseData
    const sentAt = performance.now()
    try {
      response = await pool.request(request)
    } catch (err) {
      res.off('close', onClose)
      if (aborted || res.destroyed) return // the client left; nobody to answer
      options.onUpstreamResponse?.(target.id, 'error', (performance.now() - sentAt) / 1000)
      throw translate(err, target)
    }
    options.onUpstreamResponse?.(target.id, 'ok', (performance.now() - sentAt) / 1000)

    // A client that leaves now aborts the body, which then emits 'error' — possibly before relay() listens.
    // An unhandled stream error would end the process, so the body is never without a listener.
    response.body.on('error', ignoreError)
    const h2Client = req.httpVersionMajor === 2
    const out = responseHeaderList(response.headers, extra.responseHeaders, h2Client)
    try {
      // undici's parser already refuses malformed upstream headers; this guards the caller's own.
      res.writeHead(response.statusCode, out.headers)
    } catch (err) {
      response.body.destroy()
      res.off('close', onClose)
      throw new ProxyError('ERR_UPSTREAM_UNREACHABLE', 502, `upstream ${target.id} answer could not be relayed: invalid header`, { cause: err })
    }
    // An event stream or a gRPC stream must reach the client before its first message; everything else flushes with its first chunk.
    if (out.flush) res.flushHeaders()
    // HTTP/2 carries trailers on any response, announced or not (gRPC's grpc-status never is); HTTP/1.1 only when chunked.
    if (out.trailers || h2Client) {
      response.body.once('end', () => {
        const trailers = out.movedTrailers === undefined ? response.trailers : { ...out.movedTrailers, ...response.trailers }
        if (Object.keys(trailers).length > 0) res.addTrailers(trailers)
      })
    }
    await relay(response.body, res)
    res.off('close', onClose)
  }

  async function forwardAny(req: IncomingMessage, res: ServerResponse, target: UpstreamTarget, extra: ForwardExtra, withBody: boolean): Promise<void> {
    switch (target.kind) {
      case 'static':
        sendStatic(req, res, target.status, extra.responseHeaders)
        return
      case 'file':
        await files.serve(req, res, target, extra.responseHeaders)
        return
      case 'http':
      case 'unix':
        await proxy(req, res, target, extra, withBody)
        return
    }
  }

  /** Answers an upgrade request that is not tunnelled with an ordinary response written over its socket. */
  async function answerOverSocket(req: IncomingMessage, socket: Duplex, target: UpstreamTarget, extra: Omit<ForwardExtra, 'responseHeaders'>): Promise<void> {
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as Socket)
    res.once('finish', () => {
      res.detachSocket(socket as Socket)
      closeSoon(socket)
    })
    try {
      await forwardAny(req, res, target, { ...extra, responseHeaders: {} }, false)
    } catch (err) {
      if (res.headersSent) socket.destroy()
      else writeRawStatus(socket, err instanceof ProxyError ? err.status : 502)
    }
  }

  return {
    forward: (req, res, target, extra) => forwardAny(req, res, target, extra, true),

    async upgrade(req, socket, head, target, extra) {
      const o = optionsOf(target)
      if (o.proxyWebSockets && (target.kind === 'http' || target.kind === 'unix') && isWebSocketUpgrade(req)) {
        const protocol = req.headers.upgrade ?? 'websocket'
        const headers = buildRequestHeaders(req, { host: hostFor(req, target), setHeaders: extra.setHeaders, removeHeaders: extra.removeHeaders, upgrade: protocol })
        if (options.signRequest !== undefined) await signUpstreamRequest(options.signRequest, req, headers, null)
        await tunnelWebSocket(req, socket, head, target, headers, { insecureSkipVerify: o.insecureSkipVerify, timeoutMs: o.timeoutMs })
        return
      }
      await answerOverSocket(req, socket, target, extra)
    },

    poolIds: (targets) => targets.flatMap((t) => (t.kind === 'http' || t.kind === 'unix' ? [pools.idOf(poolKey(t), poolOptions(t))] : [])),

    close: () => {
      byTarget = new WeakMap()
      return shared === undefined ? pools.close() : Promise.resolve()
    },
  }
}

/** True for `Connection: upgrade` + `Upgrade: websocket` (tokens, case-insensitive; Firefox sends `keep-alive, Upgrade`). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return connectionTokens(req.headers.connection).has('upgrade') && connectionTokens(req.headers.upgrade).has('websocket')
}

/**
 * Pipes the upstream body into the response and settles when the response is finished or closed.
 * A mid-stream upstream failure destroys the response (the client sees a cut-off answer); a client that
 * leaves is handled by the abort signal, which makes undici drop the upstream connection.
 * (stream.pipeline would do the same but allocates an AbortController and a DOMException per call.)
 */
function relay(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed || body.destroyed) {
      // The client left (or the upstream failed) between the headers and now: nothing to relay.
      body.destroy()
      res.destroy()
      resolve()
      return
    }
    const settle = (): void => {
      res.off('finish', settle)
      res.off('close', settle)
      resolve()
    }
    body.on('error', () => {
      res.destroy()
      settle()
    })
    res.once('finish', settle)
    res.once('close', settle)
    body.pipe(res)
  })
}

function ignoreError(): void {}

function hasBody(req: IncomingMessage): boolean {
  // An HTTP/2 request has a body unless its HEADERS frame ended the stream (a gRPC call sends no length).
  if (req.httpVersionMajor === 2) return (req as { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders !== true
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

/** gRPC status fields a "trailers-only" answer carries in its only header block (PROTOCOL-HTTP2.md). */
const GRPC_STATUS_FIELDS: ReadonlySet<string> = new Set(['grpc-status', 'grpc-message', 'grpc-status-details-bin'])

interface ResponseHeaderList {
  headers: string[]
  /** Send the headers at once: an event stream or a gRPC answer. */
  flush: boolean
  trailers: boolean
  /** A gRPC trailers-only answer relayed to an HTTP/2 client: its status fields, to send as trailers. */
  movedTrailers?: Record<string, string>
}

/**
 * Upstream response headers minus hop-by-hop ones, then the caller's (appended, as Go's `Header.Add`). For an
 * HTTP/2 client, a gRPC "trailers-only" answer (status in the headers, the stream ended with them) is relayed as
 * headers plus trailers: the body's end is a separate frame once proxied, and gRPC clients read the status there.
 */
function responseHeaderList(parsed: Record<string, string | string[] | undefined>, extra: ResponseHeaders, h2Client = false): ResponseHeaderList {
  const listed = connectionTokens(parsed.connection)
  const headers: string[] = []
  const type = parsed['content-type']
  const movedTrailers = h2Client && typeof parsed['grpc-status'] === 'string' && typeof type === 'string' && type.startsWith('application/grpc') ? {} as Record<string, string> : undefined
  for (const name in parsed) {
    if (isHopByHop(name, listed)) continue
    if (movedTrailers !== undefined && GRPC_STATUS_FIELDS.has(name)) {
      movedTrailers[name] = String(parsed[name])
      continue
    }
    const value = parsed[name]
    if (typeof value === 'string') headers.push(name, value)
    else if (value !== undefined) for (const one of value) headers.push(name, one)
  }
  for (const name in extra) {
    const value = extra[name] as string | string[]
    if (typeof value === 'string') headers.push(name, value)
    else for (const one of value) headers.push(name, one)
  }
  const lowerType = typeof type === 'string' ? type.toLowerCase() : ''
  const flush = lowerType.startsWith('text/event-stream') || lowerType.startsWith('application/grpc')
  // Trailers survive only on a chunked answer; re-announce them as Go's ReverseProxy does.
  const trailer = parsed.trailer
  const trailers = trailer !== undefined && parsed['content-length'] === undefined
  if (trailers) headers.push('trailer', typeof trailer === 'string' ? trailer : trailer.join(', '))
  return movedTrailers === undefined ? { headers, flush, trailers } : { headers, flush, trailers, movedTrailers }
}

/** Maps an undici/socket error to the proxy's stable codes: header timeout → 504, anything else → 502. */
export function translate(err: unknown, target: UpstreamTarget): ProxyError {
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new ProxyError('ERR_UPSTREAM_TIMEOUT', 504, `upstream ${target.id} sent no response headers in time`, { cause: err })
  }
  const detail = typeof code === 'string' ? code : err instanceof Error ? err.message : 'unknown error'
  return new ProxyError('ERR_UPSTREAM_UNREACHABLE', 502, `upstream ${target.id} failed: ${detail}`, { cause: err })
}
