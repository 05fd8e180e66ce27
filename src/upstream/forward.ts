import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Dispatcher } from 'undici'
import { ProxyError } from '../errors.js'
import { createFileServer } from './file-server.js'
import { signUpstreamRequest, type GapSigner } from './gap-signature.js'
import { connectionTokens } from './hop-by-hop.js'
import { sendStatic } from './local-response.js'
import { createPools, type PoolKey, type PoolOptions, type Pools } from './pools.js'
import { UpstreamRelay } from './relay.js'
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
  responseHeaders: Readonly<Record<string, string | string[]>>
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
  let byTarget = new WeakMap<RemoteTarget, { pool: Dispatcher; servername: string | undefined }>()
  function poolFor(target: RemoteTarget): { pool: Dispatcher; servername: string | undefined } {
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
    // undici reads the client body as it is (backpressure both ways).
    const clientBody = withBody && hasBody(req) ? req : null
    const body = options.signRequest === undefined ? clientBody : await signUpstreamRequest(options.signRequest, req, headers, clientBody)
    // `servername`: the SNI of an HTTPS upstream, which undici's connector reads from the dispatch options.
    const request: Dispatcher.DispatchOptions & { servername?: string } = {
      path: req.url ?? '/',
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers,
      body,
      headersTimeout: o.timeoutMs,
      bodyTimeout: 0,
      reset: !o.keepAlive,
    }
    if (servername !== undefined) request.servername = servername
    const sentAt = performance.now()
    const observe = options.onUpstreamResponse
    return new Promise<void>((resolve, reject) => {
      pool.dispatch(request, new UpstreamRelay(res, extra.responseHeaders, req.httpVersionMajor === 2, {
        answered: () => observe?.(target.id, 'ok', (performance.now() - sentAt) / 1000),
        failed(err, clientGone) {
          // The client left: nobody to answer.
          if (clientGone) return resolve()
          observe?.(target.id, 'error', (performance.now() - sentAt) / 1000)
          reject(translate(err, target))
        },
        done: resolve,
        unwritable: (err) => reject(new ProxyError('ERR_UPSTREAM_UNREACHABLE', 502, `upstream ${target.id} answer could not be relayed: invalid header`, { cause: err })),
      }))
    })
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

function hasBody(req: IncomingMessage): boolean {
  // An HTTP/2 request has a body unless its HEADERS frame ended the stream (a gRPC call sends no length).
  if (req.httpVersionMajor === 2) return (req as { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders !== true
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
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
