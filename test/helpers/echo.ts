// Test support for the upstream layer: the echo app, a minimal proxy server made of the upstream table and
// the forwarder only (no auth), and a plain node:http client that sends the request target byte for byte.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { ProxyError } from '../../src/errors.js'
import { createForwarder, type ForwardExtra, type ForwardOptions, type Forwarder } from '../../src/upstream/forward.js'
import { createUpstreamTable, type UpstreamTable, type UpstreamTarget } from '../../src/upstream/table.js'
import { listenOnLoopback } from './loopback-server.js'

export type { EchoApp, EchoReply }
export { startEchoApp }

export const DEFAULT_FORWARD: ForwardOptions = {
  passHostHeader: true,
  insecureSkipVerify: false,
  timeoutMs: 30_000,
  flushIntervalMs: 1_000,
  keepAlive: true,
  proxyWebSockets: true,
}

export interface MiniProxy {
  url: string
  port: number
  server: Server
  table: UpstreamTable
  forwarder: Forwarder
  /** Errors the forwarder threw, in order (the code is also sent back in `x-error-code`). */
  errors: ProxyError[]
  close(): Promise<void>
}

export interface MiniProxyOptions {
  upstreams: string[]
  forward?: Partial<ForwardOptions>
  extra?: Partial<ForwardExtra>
}

/** Starts table + forwarder behind a bare node:http server on 127.0.0.1:0, the way the real server will call them. */
export async function startMiniProxy(opts: MiniProxyOptions): Promise<MiniProxy> {
  const table = createUpstreamTable(opts.upstreams)
  const forwarder = createForwarder({ ...DEFAULT_FORWARD, ...opts.forward })
  const extra: ForwardExtra = { setHeaders: {}, removeHeaders: [], responseHeaders: {}, ...opts.extra }
  const errors: ProxyError[] = []

  const route = (url: string): { target: UpstreamTarget } | { status: number; location?: string } => {
    const q = url.indexOf('?')
    const match = table.match(q === -1 ? url : url.slice(0, q))
    if (match === undefined) return { status: 404 }
    if ('redirectTo' in match) return { status: 301, location: match.redirectTo + (q === -1 ? '' : url.slice(q)) }
    return match
  }

  const server = createServer((req, res) => {
    const found = route(req.url ?? '/')
    if ('status' in found) {
      res.writeHead(found.status, found.location === undefined ? {} : { Location: found.location })
      res.end()
      return
    }
    forwarder.forward(req, res, found.target, extra).catch((err: unknown) => {
      const known = err instanceof ProxyError ? err : new ProxyError('ERR_INTERNAL', 500, String(err))
      errors.push(known)
      if (res.headersSent) {
        res.destroy()
        return
      }
      res.writeHead(known.status, { 'x-error-code': known.code, 'content-type': 'text/plain' })
      res.end(String(known.status))
    })
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const found = route(req.url ?? '/')
    if ('status' in found) {
      socket.end(`HTTP/1.1 ${found.status} No\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    void forwarder.upgrade(req, socket, head, found.target, { setHeaders: extra.setHeaders, removeHeaders: extra.removeHeaders })
  })
  const listening = await listenOnLoopback(server)
  const { port } = listening
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    table,
    forwarder,
    errors,
    async close() {
      await listening.close()
      await forwarder.close()
    },
  }
}

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  trailers: NodeJS.Dict<string>
  body: Buffer
  text: string
  json<T = EchoReply>(): T
}

export interface SendOptions {
  method?: string
  headers?: Record<string, string | string[]>
  body?: string | Buffer
  /** Host header to send (default: the server's host:port). */
  host?: string
}

/** Sends one request with the path sent exactly as given (no normalisation) on a fresh connection. */
export function send(baseUrl: string, path: string, opts: SendOptions = {}): Promise<RawResponse> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method ?? 'GET',
        path,
        headers: opts.host === undefined ? opts.headers : { ...opts.headers, Host: opts.host },
        agent: false,
        setHost: opts.host === undefined,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          const text = body.toString('utf8')
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            trailers: res.trailers,
            body,
            text,
            json: <T>() => JSON.parse(text) as T,
          })
        })
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** Every value of one response header (raw lines, case-insensitive name). */
export function headerValues(res: RawResponse, name: string): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    if ((res.rawHeaders[i] as string).toLowerCase() === name.toLowerCase()) out.push(res.rawHeaders[i + 1] as string)
  }
  return out
}
