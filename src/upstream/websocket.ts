import { request as httpRequest, STATUS_CODES, type ClientRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { connectionTokens, isHopByHop, rawConnectionValues } from './hop-by-hop.js'
import type { UpstreamTarget } from './table.js'

export interface TunnelOptions {
  insecureSkipVerify: boolean
  /** Time to wait for the upstream's answer to the upgrade request. */
  timeoutMs: number
}

/** Writes a bare status answer on a raw socket and closes it (the socket has no ServerResponse). */
export function writeRawStatus(socket: Duplex, status: number): void {
  if (socket.destroyed) return
  const text = STATUS_CODES[status] ?? 'Error'
  closeSoon(socket, `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

/** Ends the socket and destroys it once flushed (the server's sockets allow half-open connections). */
export function closeSoon(socket: Duplex, data?: string): void {
  if (data === undefined) socket.end(() => socket.destroy())
  else socket.end(data, () => socket.destroy())
}

/**
 * Sends the upgrade request upstream with node:http and, on `101`, writes the upstream's status line and
 * headers back and splices the two sockets. Any other answer is relayed and the connection closed;
 * a failure before the answer gets `502` (or `504` on timeout). Resolves once the exchange is settled.
 */
export function tunnelWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: Extract<UpstreamTarget, { kind: 'http' | 'unix' }>,
  headers: string[],
  options: TunnelOptions,
): Promise<void> {
  return new Promise((resolve) => {
    let settled = false
    const settle = (): void => {
      if (settled) return
      settled = true
      socket.off('close', onClientClose)
      resolve()
    }
    const fail = (status: number): void => {
      if (settled) return
      writeRawStatus(socket, status)
      settle()
    }

    const upstream = requestFor(target, req, headers, options)
    const onClientClose = (): void => {
      upstream.destroy()
      settle()
    }
    socket.once('close', onClientClose)
    socket.on('error', () => socket.destroy())

    upstream.setTimeout(options.timeoutMs, () => {
      upstream.destroy()
      fail(504)
    })
    upstream.on('error', () => fail(502))

    upstream.once('upgrade', (res: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      upSocket.setTimeout(0)
      upSocket.setNoDelay(true)
      if (settled || socket.destroyed) {
        upSocket.destroy()
        settle()
        return
      }
      socket.write(statusBlock(res, false))
      if (upHead.length > 0) socket.write(upHead)
      if (head.length > 0) upSocket.write(head)
      splice(socket, upSocket)
      settle()
    })

    upstream.once('response', (res: IncomingMessage) => {
      // The upstream refused the upgrade (401, 403, 426, ...): relay its answer, then close.
      if (settled || socket.destroyed) {
        res.destroy()
        settle()
        return
      }
      socket.write(statusBlock(res, true))
      res.pipe(socket, { end: false })
      res.on('error', () => socket.destroy())
      res.once('end', () => closeSoon(socket))
      settle()
    })

    upstream.end()
  })
}

function requestFor(target: Extract<UpstreamTarget, { kind: 'http' | 'unix' }>, req: IncomingMessage, headers: string[], options: TunnelOptions): ClientRequest {
  const common = { method: req.method ?? 'GET', path: req.url ?? '/', headers, agent: false as const }
  if (target.kind === 'unix') return httpRequest({ ...common, socketPath: target.socketPath })
  const hostname = target.url.hostname.replace(/^\[|\]$/g, '')
  if (target.url.protocol !== 'https:') return httpRequest({ ...common, host: hostname, port: target.url.port === '' ? 80 : Number(target.url.port) })
  return httpsRequest({
    ...common,
    host: hostname,
    port: target.url.port === '' ? 443 : Number(target.url.port),
    rejectUnauthorized: !options.insecureSkipVerify,
    ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
  })
}

/**
 * The upstream's status line and headers as bytes for the client. A 101 is copied whole (Go copies it as is);
 * a refusal loses its hop-by-hop headers and gains `Connection: close`, its body framed by its length or the close.
 */
function statusBlock(res: IncomingMessage, refusal: boolean): string {
  const status = res.statusCode ?? 502
  const raw = res.rawHeaders
  const listed = connectionTokens(rawConnectionValues(raw))
  let block = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    const lower = name.toLowerCase()
    if (refusal && isHopByHop(lower, listed)) continue
    block += `${name}: ${raw[i + 1] as string}\r\n`
  }
  if (refusal) block += 'Connection: close\r\n'
  return `${block}\r\n`
}

/** Pipes two sockets into each other; when either side ends or fails, both are torn down. */
function splice(a: Duplex, b: Duplex): void {
  const teardown = (): void => {
    a.destroy()
    b.destroy()
  }
  a.on('error', teardown)
  b.on('error', teardown)
  a.once('close', teardown)
  b.once('close', teardown)
  a.pipe(b)
  b.pipe(a)
}
