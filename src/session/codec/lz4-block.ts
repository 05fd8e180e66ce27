import { ProxyError } from '../../errors.js'

/** LZ4 block format constants (lz4 `doc/lz4_Block_format.md`). */
const MIN_MATCH = 4
/** The last 5 bytes of a block are always literals. */
const LAST_LITERALS = 5
/** The last match must start at least 12 bytes before the end of the block. */
const MF_LIMIT = 12
const MAX_OFFSET = 65535
const HASH_LOG = 12

const table = new Int32Array(1 << HASH_LOG)

function read32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
}

function hash(sequence: number): number {
  return Math.imul(sequence, 2654435761) >>> (32 - HASH_LOG)
}

/** Writes an LZ4 length continuation: runs of 255 then the remainder. */
function writeLength(out: Uint8Array, op: number, rest: number): number {
  while (rest >= 255) {
    out[op++] = 255
    rest -= 255
  }
  out[op++] = rest
  return op
}

function writeSequence(out: Uint8Array, op: number, src: Uint8Array, anchor: number, literals: number, offset: number, matchLength: number): number {
  const m = matchLength - MIN_MATCH
  out[op++] = (Math.min(literals, 15) << 4) | Math.min(m, 15)
  if (literals >= 15) op = writeLength(out, op, literals - 15)
  out.set(src.subarray(anchor, anchor + literals), op)
  op += literals
  out[op++] = offset & 0xff
  out[op++] = offset >>> 8
  if (m >= 15) op = writeLength(out, op, m - 15)
  return op
}

/**
 * Compresses one LZ4 block with a greedy single-probe hash table, the same scheme as lz4's fast mode.
 * Output is a valid block for any LZ4 decoder; it may be larger than the input for incompressible data.
 */
export function compressLz4Block(src: Uint8Array): Uint8Array {
  const end = src.length
  const out = new Uint8Array(end + Math.ceil(end / 255) + 16)
  let op = 0
  let anchor = 0
  if (end >= MF_LIMIT + 1) {
    table.fill(-1)
    const matchStartLimit = end - MF_LIMIT
    const matchEndLimit = end - LAST_LITERALS
    let ip = 0
    while (ip <= matchStartLimit) {
      const sequence = read32(src, ip)
      const h = hash(sequence)
      const ref = table[h]!
      table[h] = ip
      if (ref < 0 || ip - ref > MAX_OFFSET || read32(src, ref) !== sequence) {
        ip++
        continue
      }
      let length = MIN_MATCH
      while (ip + length < matchEndLimit && src[ref + length] === src[ip + length]) length++
      op = writeSequence(out, op, src, anchor, ip - anchor, ip - ref, length)
      ip += length
      anchor = ip
      if (ip - 2 >= 0 && ip - 2 <= matchStartLimit) table[hash(read32(src, ip - 2))] = ip - 2
    }
  }
  const literals = end - anchor
  out[op++] = Math.min(literals, 15) << 4
  if (literals >= 15) op = writeLength(out, op, literals - 15)
  out.set(src.subarray(anchor), op)
  op += literals
  return out.subarray(0, op)
}

/** A growable output buffer with a hard size cap, so a hostile frame cannot make us allocate without bound. */
export class BoundedOutput {
  bytes: Uint8Array
  length = 0
  readonly cap: number

  constructor(cap: number, initial = 1024) {
    this.cap = cap
    this.bytes = new Uint8Array(Math.min(initial, cap))
  }

  /** Makes room for `n` more bytes, failing when the total would pass `limit` (at most the cap). */
  reserve(n: number, limit: number): void {
    const needed = this.length + n
    if (needed > Math.min(limit, this.cap)) throw malformed('decompressed data is larger than allowed')
    if (needed <= this.bytes.length) return
    const grown = new Uint8Array(Math.min(this.cap, Math.max(needed, this.bytes.length * 2)))
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }

  append(src: Uint8Array, limit: number): void {
    this.reserve(src.length, limit)
    this.bytes.set(src, this.length)
    this.length += src.length
  }

  /** The bytes written so far (a view). */
  view(start = 0): Uint8Array {
    return this.bytes.subarray(start, this.length)
  }
}

/** The error for input that is not valid LZ4: callers treat it like any other undecodable cookie. */
export function malformed(detail: string): ProxyError {
  return new ProxyError('ERR_BAD_REQUEST', 400, `malformed LZ4 data: ${detail}`)
}

/**
 * Decodes one LZ4 block `src` onto `out`. Matches may reach back to `windowStart` (the block's own start for
 * independent blocks, earlier output for linked ones); output may not pass `limit`. Throws ProxyError on bad input.
 */
export function decompressLz4Block(src: Uint8Array, out: BoundedOutput, windowStart: number, limit: number): void {
  const end = src.length
  let ip = 0
  for (;;) {
    if (ip >= end) throw malformed('block ends inside a sequence')
    const token = src[ip++]!
    let literals = token >>> 4
    if (literals === 15) {
      let b: number
      do {
        if (ip >= end) throw malformed('literal length runs past the block')
        b = src[ip++]!
        literals += b
      } while (b === 255)
    }
    if (literals > end - ip) throw malformed('literals run past the block')
    out.append(src.subarray(ip, ip + literals), limit)
    ip += literals
    if (ip === end) return
    if (end - ip < 2) throw malformed('block ends inside a match offset')
    const offset = src[ip]! | (src[ip + 1]! << 8)
    ip += 2
    if (offset === 0) throw malformed('match offset 0')
    let length = token & 15
    if (length === 15) {
      let b: number
      do {
        if (ip >= end) throw malformed('match length runs past the block')
        b = src[ip++]!
        length += b
      } while (b === 255)
    }
    length += MIN_MATCH
    const from = out.length - offset
    if (from < windowStart) throw malformed('match offset points before the window')
    out.reserve(length, limit)
    const bytes = out.bytes
    let to = out.length
    if (offset >= length) {
      bytes.copyWithin(to, from, from + length)
      to += length
    } else {
      for (let k = 0; k < length; k++) bytes[to++] = bytes[from + k]!
    }
    out.length = to
  }
}
