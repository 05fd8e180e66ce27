// A raw-frame HTTP/2 client for abuse tests: TLS with ALPN h2, the frames written byte for byte (RFC 9113 §4, §6),
// header blocks in HPACK literals (RFC 7541 §6.2), so that nothing on the client side limits what goes out the way
// node:http2's own checks would. The reader records what the server answered: SETTINGS, RST_STREAM, GOAWAY, responses.
import { connect, type TLSSocket } from 'node:tls'

/** Frame types (RFC 9113 §6). */
export const FRAME = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, PING: 0x6, GOAWAY: 0x7, WINDOW_UPDATE: 0x8, CONTINUATION: 0x9 } as const
/** Frame flags. */
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const
/** Error codes (RFC 9113 §7). */
export const H2_ERROR = { NO_ERROR: 0x0, PROTOCOL_ERROR: 0x1, INTERNAL_ERROR: 0x2, REFUSED_STREAM: 0x7, CANCEL: 0x8, COMPRESSION_ERROR: 0x9, ENHANCE_YOUR_CALM: 0xb } as const

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

/** One frame with its 9-byte header. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(streamId & 0x7fffffff, 5)
  return Buffer.concat([head, payload])
}

/** An RST_STREAM frame. */
export function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4)
  payload.writeUInt32BE(code)
  return frame(FRAME.RST_STREAM, 0, streamId, payload)
}

/** An HPACK integer with an N-bit prefix whose high bits are `first` (RFC 7541 §5.1). */
export function hpackInt(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1
  if (value < max) return Buffer.from([first | value])
  const bytes = [first | max]
  let rest = value - max
  while (rest >= 128) {
    bytes.push((rest % 128) + 128)
    rest = Math.floor(rest / 128)
  }
  bytes.push(rest)
  return Buffer.from(bytes)
}

function hpackString(text: string): Buffer {
  const raw = Buffer.from(text, 'latin1')
  return Buffer.concat([hpackInt(raw.length, 7), raw])
}

/** A header field as a literal without indexing, new name (RFC 7541 §6.2.2): the server's table is left alone. */
export function literal(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x00]), hpackString(name), hpackString(value)])
}

/** A header field as a literal with incremental indexing, new name (§6.2.1): it enters the dynamic table at index 62. */
export function literalIndexed(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x40]), hpackString(name), hpackString(value)])
}

/** A reference to entry `index` of the static or dynamic table (§6.1): one byte below 127. */
export function indexed(index: number): Buffer {
  return hpackInt(index, 7, 0x80)
}

/** The header block of a request: the four pseudo-headers, then `extra` fields. */
export function requestBlock(authority: string, path: string, method = 'GET', extra: Buffer[] = []): Buffer {
  return Buffer.concat([literal(':method', method), literal(':scheme', 'https'), literal(':path', path), literal(':authority', authority), ...extra])
}

/** A HEADERS frame carrying a whole block (END_HEADERS), with END_STREAM unless the request has a body to come. */
export function headers(streamId: number, block: Buffer, endStream = true): Buffer {
  return frame(FRAME.HEADERS, FLAG.END_HEADERS | (endStream ? FLAG.END_STREAM : 0), streamId, block)
}

/** What the server sent on one connection so far. */
export interface H2Seen {
  settings: number
  settingsAcks: number
  /** RST_STREAM error codes by stream id. */
  resets: Map<number, number>
  /** The `:status` of each response by stream id (when the block could be read; see statusOf). */
  statuses: Map<number, number>
  goaway?: { lastStreamId: number; code: number }
  closed: boolean
  frames: number
}

/** One raw HTTP/2 connection. */
export interface H2Raw {
  socket: TLSSocket
  seen: H2Seen
  write(...chunks: Buffer[]): Promise<void>
  /** Resolves once `done(seen)` holds or the server closed the connection; rejects after `boundMs`. */
  until(done: (seen: H2Seen) => boolean, boundMs?: number): Promise<H2Seen>
  close(): void
}

/** Connects with ALPN h2 (certificate not checked: test certificates), sends the preface and empty SETTINGS. */
export async function openH2(port: number): Promise<H2Raw> {
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s))
    s.once('error', reject)
  })
  if (socket.alpnProtocol !== 'h2') throw new Error(`the server chose ALPN ${String(socket.alpnProtocol)}, not h2`)
  const seen: H2Seen = { settings: 0, settingsAcks: 0, resets: new Map(), statuses: new Map(), closed: false, frames: 0 }
  const waiters = new Set<() => void>()
  const notify = (): void => {
    for (const w of waiters) w()
  }
  let pending = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 9) {
      const length = pending.readUIntBE(0, 3)
      if (pending.length < 9 + length) break
      const type = pending[3] ?? 0
      const flags = pending[4] ?? 0
      const streamId = pending.readUInt32BE(5) & 0x7fffffff
      const payload = pending.subarray(9, 9 + length)
      pending = pending.subarray(9 + length)
      seen.frames += 1
      onFrame(type, flags, streamId, payload)
    }
    notify()
  })
  // A reset or error from the server ends the connection like a close does.
  socket.on('error', () => undefined)
  socket.once('close', () => {
    seen.closed = true
    notify()
  })

  function onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (type === FRAME.SETTINGS && (flags & FLAG.ACK) === 0) {
      seen.settings += 1
      if (!socket.destroyed) socket.write(frame(FRAME.SETTINGS, FLAG.ACK, 0))
    } else if (type === FRAME.SETTINGS) seen.settingsAcks += 1
    else if (type === FRAME.RST_STREAM) seen.resets.set(streamId, payload.readUInt32BE(0))
    else if (type === FRAME.GOAWAY) seen.goaway = { lastStreamId: payload.readUInt32BE(0) & 0x7fffffff, code: payload.readUInt32BE(4) }
    else if (type === FRAME.HEADERS && !seen.statuses.has(streamId)) {
      const status = statusOf(payload, flags)
      if (status !== undefined) seen.statuses.set(streamId, status)
    } else if (type === FRAME.PING && (flags & FLAG.ACK) === 0 && !socket.destroyed) socket.write(frame(FRAME.PING, FLAG.ACK, 0, payload))
  }

  const write = (...chunks: Buffer[]): Promise<void> =>
    new Promise((resolve) => {
      if (socket.destroyed) return resolve()
      // A server that has closed makes the write fail: the reader has recorded why, so the write just ends.
      socket.write(Buffer.concat(chunks), () => resolve())
    })

  const until = (done: (s: H2Seen) => boolean, boundMs = 10_000): Promise<H2Seen> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (done(seen) || seen.closed) {
          clearTimeout(timer)
          waiters.delete(check)
          resolve(seen)
        }
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`h2: the awaited frames did not come within ${boundMs} ms (seen ${describeSeen(seen)})`))
      }, boundMs)
      waiters.add(check)
      check()
    })

  await write(PREFACE, frame(FRAME.SETTINGS, 0, 0))
  return { socket, seen, write, until, close: () => socket.destroy() }
}

/** A one-line account of what the server sent, for assertion messages. */
export function describeSeen(seen: H2Seen): string {
  const codes = new Map<number, number>()
  for (const code of seen.resets.values()) codes.set(code, (codes.get(code) ?? 0) + 1)
  const resets = [...codes].map(([code, n]) => `${n}x0x${code.toString(16)}`).join(',') || 'none'
  const goaway = seen.goaway === undefined ? 'none' : `last=${seen.goaway.lastStreamId} code=0x${seen.goaway.code.toString(16)}`
  return `frames=${seen.frames} settings=${seen.settings} resets=${resets} statuses=${[...new Set(seen.statuses.values())].join(',') || 'none'} goaway=${goaway} closed=${seen.closed}`
}

/** HPACK's static `:status` entries (RFC 7541 Appendix A, indexes 8 to 14). */
const STATIC_STATUS: Record<number, number> = { 8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500 }
/** Huffman codes of the ten digits (RFC 7541 Appendix B), as bit strings: enough to read a status. */
const HUFFMAN_DIGITS: Record<string, string> = { '00000': '0', '00001': '1', '00010': '2', '011001': '3', '011010': '4', '011011': '5', '011100': '6', '011101': '7', '011110': '8', '011111': '9' }

/**
 * The `:status` of a response header block when it comes first, as servers send it: a static index, or a literal with
 * the static `:status` name and a plain or Huffman-coded value. Padding and priority are skipped; anything else is undefined.
 */
export function statusOf(payload: Buffer, flags: number): number | undefined {
  let at = 0
  const padded = (flags & 0x8) !== 0
  if (padded) at += 1
  if ((flags & 0x20) !== 0) at += 5
  const first = payload[at] ?? 0
  if ((first & 0x80) !== 0) return STATIC_STATUS[first & 0x7f]
  // Literal with indexing (01xxxxxx, 6-bit name index) or without / never indexed (000xxxxx, 4-bit name index).
  const nameIndex = (first & 0x40) !== 0 ? first & 0x3f : first & 0x0f
  if (nameIndex < 8 || nameIndex > 14) return undefined
  const lengthByte = payload[at + 1] ?? 0
  const value = payload.subarray(at + 2, at + 2 + (lengthByte & 0x7f))
  if ((lengthByte & 0x80) === 0) return Number(value.toString('latin1'))
  let bits = ''
  for (const byte of value) bits += byte.toString(2).padStart(8, '0')
  let digits = ''
  let code = ''
  for (const bit of bits) {
    code += bit
    const digit = HUFFMAN_DIGITS[code]
    if (digit !== undefined) {
      digits += digit
      code = ''
    }
    if (digits.length === 3) break
  }
  return digits.length === 3 ? Number(digits) : undefined
}
