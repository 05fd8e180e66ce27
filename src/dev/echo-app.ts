/**
 * A small upstream for development, tests and the demo (never production): it answers every request
 * with what it received, plus a few routes that exercise streaming, uploads, timeouts and WebSockets.
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { renderEchoPage } from './echo-page.js'
import type { EchoReply } from './echo-reply.js'

export type { EchoReply } from './echo-reply.js'

export interface EchoApp {
  url: string
  port: number
  close(): Promise<void>
}


const BODY_ECHO_LIMIT = 64 * 1024
const MAX_BYTES = 2 * 1024 ** 3
const CHUNK = Buffer.alloc(64 * 1024, 'gatehouse-echo/')

/** Starts the echo app on 127.0.0.1 and an OS-chosen port unless told otherwise. */
export async function startEchoApp(opts: { port?: number; host?: string } = {}): Promise<EchoApp> {
  const host = opts.host ?? '127.0.0.1'
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
    ws.on('error', () => ws.terminate())
  })

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'echo app failed' })
      else res.destroy()
    })
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if (splitTarget(req.url ?? '/').path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}`,
    port,
    async close() {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { path, rawQuery } = splitTarget(req.url ?? '/')
  const params = new URLSearchParams(rawQuery)
  const statusMatch = /^\/status\/(\d{3})$/.exec(path)
  if (statusMatch !== null) return sendStatus(req, res, Number(statusMatch[1]))
  switch (path) {
    case '/sse':
      return sendEvents(res, clampInt(params.get('count'), 3, 0, 10_000), clampInt(params.get('intervalMs'), 100, 0, 60_000))
    case '/bytes': {
      const n = Number(params.get('n') ?? '0')
      if (!Number.isSafeInteger(n) || n < 0 || n > MAX_BYTES) return sendJson(res, 400, { error: `n must be an integer from 0 to ${MAX_BYTES}` })
      return sendBytes(res, n)
    }
    case '/upload': {
      const { bytes, sha256 } = await readBody(req, 0)
      return sendJson(res, 200, { bytes, sha256 })
    }
    case '/slow': {
      const ms = clampInt(params.get('ms'), 1000, 0, 600_000)
      const reply = await echoOf(req)
      const timer = setTimeout(() => sendJson(res, 200, reply), ms)
      res.once('close', () => clearTimeout(timer))
      return
    }
    case '/set-cookie':
      res.appendHeader('Set-Cookie', 'echo_a=1; Path=/')
      res.appendHeader('Set-Cookie', 'echo_b=2; Path=/; HttpOnly')
      return sendJson(res, 200, await echoOf(req))
    case '/response-headers':
      // Sets each query parameter as a response header (repeated names give repeated headers).
      for (const [name, value] of params) res.appendHeader(name, value)
      return sendJson(res, 200, await echoOf(req))
    case '/trailers': {
      const reply = JSON.stringify(await echoOf(req))
      res.writeHead(200, { 'Content-Type': 'application/json', Trailer: 'X-Echo-Sha256' })
      res.write(reply)
      res.addTrailers({ 'X-Echo-Sha256': createHash('sha256').update(reply).digest('hex') })
      res.end()
      return
    }
  }
  const reply = await echoOf(req)
  if (path === '/' && (req.headers.accept ?? '').includes('text/html')) {
    const html = renderEchoPage(reply)
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store' })
    res.end(html)
    return
  }
  sendJson(res, 200, reply)
}

async function echoOf(req: IncomingMessage): Promise<EchoReply> {
  const { path, rawQuery } = splitTarget(req.url ?? '/')
  const query: Record<string, string | string[]> = {}
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const prior = query[key]
    query[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value]
  }
  const rawHeaders: [string, string][] = []
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string])
  const body = await readBody(req, BODY_ECHO_LIMIT)
  return {
    method: req.method ?? 'GET',
    path,
    query,
    rawQuery,
    headers: req.headers,
    rawHeaders,
    remoteAddress: req.socket.remoteAddress ?? '',
    body: body.head.toString('utf8'),
    bodyBytes: body.bytes,
    bodySha256: body.sha256,
  }
}

/** Reads the whole body, keeping only its first `keep` bytes, and hashes all of it. */
async function readBody(req: IncomingMessage, keep: number): Promise<{ head: Buffer; bytes: number; sha256: string }> {
  const hash = createHash('sha256')
  const kept: Buffer[] = []
  let keptBytes = 0
  let bytes = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    hash.update(chunk)
    bytes += chunk.length
    if (keptBytes < keep) {
      const part = chunk.subarray(0, keep - keptBytes)
      kept.push(part)
      keptBytes += part.length
    }
  }
  return { head: Buffer.concat(kept), bytes, sha256: hash.digest('hex') }
}

function sendStatus(req: IncomingMessage, res: ServerResponse, code: number): Promise<void> | void {
  if (code < 200 || code > 599) return sendJson(res, 400, { error: 'status must be from 200 to 599' })
  if (code === 204 || code === 304) {
    res.writeHead(code)
    res.end()
    return
  }
  return echoOf(req).then((reply) => sendJson(res, code, reply))
}

function sendEvents(res: ServerResponse, count: number, intervalMs: number): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
  res.flushHeaders()
  let sent = 0
  let timer: NodeJS.Timeout | undefined
  const next = (): void => {
    if (sent >= count) {
      res.end()
      return
    }
    res.write(`id: ${sent}\ndata: {"n":${sent}}\n\n`)
    sent += 1
    timer = setTimeout(next, sent >= count ? 0 : intervalMs)
  }
  res.once('close', () => clearTimeout(timer))
  next()
}

/** Streams `n` bytes in 64 KiB chunks, waiting for the socket to drain (no buffering). */
function sendBytes(res: ServerResponse, n: number): void {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': n })
  let left = n
  const pump = (): void => {
    while (left > 0) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left)
      left -= chunk.length
      if (!res.write(chunk)) {
        res.once('drain', pump)
        return
      }
    }
    res.end()
  }
  res.once('close', () => res.off('drain', pump))
  pump()
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

function splitTarget(target: string): { path: string; rawQuery: string } {
  const q = target.indexOf('?')
  return q === -1 ? { path: target, rawQuery: '' } : { path: target.slice(0, q), rawQuery: target.slice(q + 1) }
}

function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  const n = raw === null ? fallback : Number.parseInt(raw, 10)
  return Number.isNaN(n) ? fallback : Math.min(max, Math.max(min, n))
}
