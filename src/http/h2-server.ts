import * as http2 from 'node:http2'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '../log/logger.js'

/** What the HTTP/2 listener needs: the certificate, the TLS floor and the request listener shared with HTTP/1.1. */
export interface H2ListenerOptions {
  cert: Buffer
  key: Buffer
  minVersion: 'TLSv1.2' | 'TLSv1.3'
  /** `--tls-cipher-suite` in OpenSSL's names. */
  ciphers?: string | undefined
  onRequest: (req: IncomingMessage, res: ServerResponse) => void
  log: Logger
  /** Bounds on each HTTP/2 connection; tests lower them. */
  limits?: Partial<H2Limits>
}

/** Bounds on one HTTP/2 connection (RFC 9113 §6.5.2 settings plus the stream reset guard). */
export interface H2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams past it are refused (REFUSED_STREAM). Go and nginx use 250 and 128. */
  maxConcurrentStreams: number
  /** SETTINGS_MAX_HEADER_LIST_SIZE: decoded header bytes per request (HPACK bombs included); past it the stream is reset. */
  maxHeaderListSize: number
  /** Memory nghttp2 may hold for one connection, in MB; past it new streams are refused. */
  maxSessionMemoryMb: number
  /** Stream resets (by either side) tolerated in `resetWindowMs` before GOAWAY ENHANCE_YOUR_CALM (CVE-2023-44487). */
  maxResets: number
  resetWindowMs: number
  /** A connection with no open stream for this long is closed with GOAWAY. */
  idleMs: number
}

/** 16 KiB of headers as on HTTP/1.1, plus HPACK's 32-byte accounting per field (RFC 7541 §4.1) for about 100 fields. */
const DEFAULT_LIMITS: H2Limits = {
  maxConcurrentStreams: 128,
  maxHeaderListSize: 16 * 1024 + 32 * 100,
  maxSessionMemoryMb: 10,
  maxResets: 200,
  resetWindowMs: 1_000,
  idleMs: 5 * 60_000,
}

/** The TLS listener speaking HTTP/2 (ALPN `h2`) and HTTP/1.1 to clients that do not offer it; drains like an http.Server. */
export type H2Listener = http2.Http2SecureServer & { closeAllConnections(): void; closeIdleConnections(): void }

/**
 * Creates the HTTP/2 + HTTP/1.1 TLS listener with bounded connections and a guard against rapid stream resets.
 * HTTP/1.1 clients get node:http's parser with its default 16 KiB head limit, the same as the plain listener's.
 */
export function createH2Listener(options: H2ListenerOptions): H2Listener {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const server = http2.createSecureServer(
    {
      cert: options.cert,
      key: options.key,
      minVersion: options.minVersion,
      ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
      allowHTTP1: true,
      maxSessionMemory: limits.maxSessionMemoryMb,
      // Extended CONNECT stays off, so browsers open WebSockets over HTTP/1.1 (RFC 8441 §3).
      settings: { maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderListSize, enablePush: false },
    },
    // The compatibility request and response mimic node:http's closely enough for the shared listener.
    options.onRequest as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  )
  const sockets = new Set<Socket>()
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('session', (session) => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
    guardSession(session, limits, options.log)
  })
  // A session error (a protocol violation, a reset flood) ends that connection only.
  server.on('sessionError', () => undefined)

  const closeIdleHttp1 = (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.bind(server)
  return Object.assign(server, {
    closeIdleConnections(): void {
      closeIdleHttp1?.()
      // GOAWAY: streams in flight finish, new ones go to another connection (RFC 9113 §6.8).
      for (const session of sessions) if (!session.closed) session.close()
    },
    closeAllConnections(): void {
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
    },
  })
}

/** Counts the open streams and the resets of one connection; too many resets, or idling, end it with GOAWAY. */
function guardSession(session: http2.ServerHttp2Session, limits: H2Limits, log: Logger): void {
  let open = 0
  let resets = 0
  let windowStart = 0
  session.setTimeout(limits.idleMs, () => {
    if (open === 0) session.close()
  })
  session.on('stream', (stream) => {
    open += 1
    stream.once('close', () => {
      open -= 1
      if (stream.rstCode === http2.constants.NGHTTP2_NO_ERROR || session.destroyed) return
      const now = performance.now()
      if (now - windowStart > limits.resetWindowMs) {
        windowStart = now
        resets = 0
      }
      resets += 1
      if (resets === limits.maxResets + 1) {
        log.warn({ event: 'http2.reset.flood', resets, windowMs: limits.resetWindowMs, client: session.socket?.remoteAddress }, 'too many HTTP/2 stream resets: connection closed')
        // An error, not undefined: destroy(undefined, code) falls back to its default error (NO_ERROR) and drops the code.
        session.destroy(new Error('HTTP/2 stream reset flood'), http2.constants.NGHTTP2_ENHANCE_YOUR_CALM)
      }
    })
  })
}
