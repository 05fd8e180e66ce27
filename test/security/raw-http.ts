// Raw HTTP/1.1 over a TCP socket for attack tests: the bytes go out exactly as written (lower-case methods, raw
// fragments, conflicting framing headers), and the reply is read until the server closes or the bound runs out.
import { connect, type Socket } from 'node:net'

/** What came back on one connection. */
export interface RawReply {
  /** Everything the server sent, as latin1 text. */
  text: string
  /** Status codes of every response on the connection, in order (pipelined or smuggled requests show up here). */
  statuses: number[]
  /** The body of the first response (after the first blank line). */
  body: string
  /** True when the server closed the connection before the bound. */
  closed: boolean
}

/** Opens a connection to 127.0.0.1:`port`. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Reads from `socket` until it closes or `boundMs` passes (then destroys it), after writing `chunks` in order. */
export function exchange(socket: Socket, chunks: Array<string | Buffer>, boundMs = 5_000): Promise<RawReply> {
  return new Promise((resolve) => {
    let text = ''
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]))
      const split = text.indexOf('\r\n\r\n')
      resolve({ text, statuses, body: split === -1 ? '' : text.slice(split + 4), closed })
    }
    const timer = setTimeout(() => finish(false), boundMs)
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
    socket.on('close', () => finish(true))
    socket.on('error', () => finish(true))
    for (const chunk of chunks) socket.write(chunk)
  })
}

/** Sends `request` on a fresh connection and reads the reply (see exchange). */
export async function rawRequest(port: number, request: string | Buffer, boundMs = 5_000): Promise<RawReply> {
  return exchange(await openSocket(port), [request], boundMs)
}

/** A request head with `Connection: close` unless the extra headers say otherwise. */
export function head(requestLine: string, headers: string[] = []): string {
  const all = [...headers]
  if (!all.some((h) => /^host:/i.test(h))) all.unshift('Host: gatehouse.test')
  if (!all.some((h) => /^connection:/i.test(h))) all.push('Connection: close')
  return `${requestLine} HTTP/1.1\r\n${all.map((h) => `${h}\r\n`).join('')}\r\n`
}

/** The echo upstream's JSON reply when the request reached it, else undefined. */
export function echoed(reply: RawReply): { method: string; path: string; headers: Record<string, string | string[]> } | undefined {
  if (reply.statuses[0] !== 200) return undefined
  try {
    const body = JSON.parse(reply.body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '')) as { method?: unknown; path?: unknown; headers?: unknown }
    return typeof body.path === 'string' && typeof body.method === 'string' ? (body as { method: string; path: string; headers: Record<string, string | string[]> }) : undefined
  } catch {
    return undefined
  }
}
