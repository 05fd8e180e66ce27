import * as http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as https from 'node:https'
import type { Duplex } from 'node:stream'
import { ProxyError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import { endRequestSpan, inRequestSpan } from '../tracing/http-spans.js'
import type { Tracing } from '../tracing/tracing.js'
import { createContext, type RequestContext } from './context.js'
import type { RequestOrigin } from './forwarded.js'
import { grpcStatusOf, isGrpcRequest, sendGrpcStatus } from './grpc.js'
import { createH2Listener, type H2Limits } from './h2-server.js'
import type { Pages } from './pages.js'
import { sendHtml, sendJson, wantsJson } from './reply.js'

export type Handler = (ctx: RequestContext) => Promise<void> | void
export type UpgradeHandler = (ctx: RequestContext, socket: Duplex, head: Buffer) => Promise<void>

/**
 * What serving a request needs that a configuration reload may replace. The server reads the current plan once when
 * a request arrives and uses that one until the request is done, so a reload never changes a request half-way.
 */
export interface RequestPlan {
  handler: Handler
  upgrade?: UpgradeHandler
  resolveOrigin: (req: IncomingMessage) => RequestOrigin
  pages: Pages
  requestIdHeader: string
  forceJsonErrors: boolean
  /** `--allow-query-semicolons`: `;` separates query pairs like `&` (see context.ts). */
  allowQuerySemicolons?: boolean
  /** Writes one access-log line when a response is done. */
  accessLog: (ctx: RequestContext) => void
  /** Told when a request (or upgrade) starts on this plan, and when it is done: lets a replaced plan know it is drained. */
  enter?: () => void
  leave?: () => void
}

export interface ServerOptions {
  /** The plan in force: `current` is read once per request. */
  plan: { readonly current: RequestPlan }
  log: Logger
  tls?: { cert: Buffer; key: Buffer; minVersion: 'TLSv1.2' | 'TLSv1.3'; ciphers?: string | undefined }
  /** `--http2`: the TLS listener also speaks HTTP/2, chosen by ALPN (default on); plain HTTP stays HTTP/1.1. */
  http2?: boolean
  /** Bounds on each HTTP/2 connection (tests lower them). */
  http2Limits?: Partial<H2Limits>
  /** How long a request body may stall before 408 (default 60 s). */
  bodyIdleMs?: number
  /** How long a client may take to send the request head before 408 and close (default 60 s; tests use less). */
  headersTimeoutMs?: number
  /** Counts requests (the metrics registry): told when one arrives and when it is done or abandoned. */
  requestObserver?: RequestObserver
  /** Traces each request when on (a server span around its handling); absent or off, nothing is traced. */
  tracing?: Tracing
}

/** What the metrics need from each request on the main listener. */
export interface RequestObserver {
  requestStarted(): void
  requestFinished(pathname: string, method: string, status: number, seconds: number): void
}

/** The listener main.ts drives: an http.Server, an https.Server, or the HTTP/2 listener that drains the same way. */
export type ProxyServer = http.Server | ReturnType<typeof createH2Listener>

/** Bounds against slow or oversized clients: 16 KiB of headers (else 431), 60 s to send them. */
const LIMITS = { maxHeaderSize: 16 * 1024, headersTimeout: 60_000, requestTimeout: 0, keepAliveTimeout: 5_000 }
/** A request body that stops arriving for this long is answered 408 and its connection closed. No total bound: uploads may be large. */
const BODY_IDLE_MS = 60_000

/** Arms the body idle timeout while a request body is still arriving, and disarms it once the body is complete. */
function guardBody(ctx: RequestContext, log: Logger, idleMs: number): void {
  const { req, res } = ctx
  const length = req.headers['content-length']
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  if (!hasBody || req.complete) return
  // Node emits the socket's timeout on the request whose body is still incomplete.
  const onIdle = (): void => {
    log.info({ event: 'http.body.timeout', requestId: ctx.id }, 'request body stalled')
    if (!res.headersSent) {
      res.writeHead(408, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' })
      res.end('Request Timeout\n')
    }
    req.socket.destroySoon()
  }
  req.socket.setTimeout(idleMs)
  req.on('timeout', onIdle)
  req.once('end', () => {
    req.off('timeout', onIdle)
    // After the response, Node has armed its keep-alive timeout on the socket: leave that one alone.
    if (!res.writableFinished) req.socket.setTimeout(0)
  })
}

/** Creates the HTTP(S) server whose request listener is the one error boundary of the process. */
export function createHttpServer(options: ServerOptions & { tls?: undefined }): http.Server
export function createHttpServer(options: ServerOptions): ProxyServer
export function createHttpServer(options: ServerOptions): ProxyServer {
  const { log } = options

  function renderError(ctx: RequestContext, plan: RequestPlan, err: unknown): void {
    const known = err instanceof ProxyError ? err : undefined
    const status = known?.status ?? 500
    // `errorCode`, not `code`: the logger redacts every `code` field (OAuth authorization codes).
    if (status >= 500) {
      log.error({ event: 'http.error', requestId: ctx.id, errorCode: known?.code ?? 'ERR_INTERNAL', status, error: describe(err) }, 'request failed')
    } else {
      ctx.log.info({ event: 'http.refused', errorCode: known?.code, status, reason: known?.message }, 'request refused')
    }
    if (ctx.res.headersSent) {
      ctx.res.destroy()
      return
    }
    // A gRPC client reads grpc-status, never a page: the same refusal as a gRPC server's (docs/integrations/grpc.md).
    if (isGrpcRequest(ctx.req)) {
      sendGrpcStatus(ctx.res, grpcStatusOf(status), status >= 500 ? `internal error (request ${ctx.id})` : (known?.userMessage ?? http.STATUS_CODES[status] ?? 'error'))
      return
    }
    if (plan.forceJsonErrors || wantsJson(ctx.req.headers.accept)) {
      sendJson(ctx.res, status, { error: status >= 500 ? 'internal error' : (known?.userMessage ?? http.STATUS_CODES[status] ?? 'error'), requestId: ctx.id })
      return
    }
    const debug = known === undefined ? describe(err) : known.message
    sendHtml(ctx.res, status, plan.pages.error(status, ctx.id, '/', status >= 500 ? undefined : known?.userMessage, debug))
  }

  const tracing = options.tracing
  const traced = tracing !== undefined && tracing.enabled
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const plan = options.plan.current
    const ctx = createContext(req, res, plan.resolveOrigin(req), log, plan.requestIdHeader, plan.allowQuerySemicolons)
    const observer = options.requestObserver
    observer?.requestStarted()
    plan.enter?.()
    // 'close' comes for every response, finished or abandoned by the client (so the in-flight gauge always returns),
    // right after 'finish' for a finished one: one listener does the access log, the metrics and the plan's count.
    res.once('close', () => {
      if (res.writableFinished) plan.accessLog(ctx)
      observer?.requestFinished(ctx.pathname, req.method ?? 'GET', res.statusCode, (performance.now() - ctx.startedAt) / 1000)
      plan.leave?.()
      endRequestSpan(ctx)
    })
    // HTTP/2 bodies are bounded by the connection's flow control and settings, not by the socket timeout.
    if (req.httpVersionMajor !== 2) guardBody(ctx, log, options.bodyIdleMs ?? BODY_IDLE_MS)
    if (traced) inRequestSpan(tracing, ctx, () => handle(ctx, plan))
    else handle(ctx, plan)
  }

  const handle = (ctx: RequestContext, plan: RequestPlan): void => {
    try {
      const pending = plan.handler(ctx)
      if (pending !== undefined) pending.catch((err: unknown) => renderError(ctx, plan, err))
    } catch (err) {
      renderError(ctx, plan, err)
    }
  }

  const headersTimeout = options.headersTimeoutMs ?? LIMITS.headersTimeout
  // Node checks the head timeout on this interval (default 30 s), so a short bound needs a shorter interval.
  const limits = { ...LIMITS, headersTimeout, connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(headersTimeout / 4))) }
  const server = options.tls === undefined
    ? http.createServer({ ...limits }, onRequest)
    : options.http2 === false
      ? https.createServer({ ...limits, cert: options.tls.cert, key: options.tls.key, minVersion: options.tls.minVersion, ...(options.tls.ciphers === undefined ? {} : { ciphers: options.tls.ciphers }), ALPNProtocols: ['http/1.1'] }, onRequest)
      : createH2Listener({ ...options.tls, onRequest: withAuthority(onRequest), log, ...(options.http2Limits === undefined ? {} : { limits: options.http2Limits }) })
  // With allowHTTP1, the HTTP/2 listener runs node:http's connection handling for HTTP/1.1 clients: same timeouts, same events.
  const h1 = server as http.Server
  h1.headersTimeout = headersTimeout
  h1.requestTimeout = LIMITS.requestTimeout
  h1.keepAliveTimeout = LIMITS.keepAliveTimeout

  h1.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const res = new http.ServerResponse(req)
    const plan = options.plan.current
    const ctx = createContext(req, res, plan.resolveOrigin(req), log, plan.requestIdHeader, plan.allowQuerySemicolons)
    if (plan.upgrade === undefined) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    plan.enter?.()
    socket.once('close', () => plan.leave?.())
    plan.upgrade(ctx, socket, head).catch((err: unknown) => {
      const status = err instanceof ProxyError ? err.status : 500
      if (status >= 500) log.error({ event: 'http.upgrade.error', requestId: ctx.id, status, error: describe(err) }, 'upgrade failed')
      if (!socket.destroyed) socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    })
  })

  h1.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.destroyed || !socket.writable) return
    // Node answers 431 for oversized headers and 408 for slow ones; keep those statuses explicit.
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  })
  return server
}

/**
 * HTTP/2 carries the host in `:authority` (RFC 9113 §8.3.1) and the compatibility API does not copy it to `Host`:
 * copy it, so origin resolution, the redirect URL and the upstream request see the host as on HTTP/1.1.
 */
function withAuthority(onRequest: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.httpVersionMajor === 2 && req.headers.host === undefined) {
      const authority = req.headers[':authority']
      if (typeof authority === 'string') req.headers.host = authority
    }
    onRequest(req, res)
  }
}

/** A one-line description of an error for logs: code and message, never a stack of secrets. */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const cause = err.cause instanceof Error ? ` (cause: ${err.cause.message})` : ''
    return `${typeof code === 'string' ? `${code}: ` : ''}${err.message}${cause}`
  }
  return String(err)
}
