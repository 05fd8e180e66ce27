import { BoundedOutput, compressLz4Block, decompressLz4Block, malformed } from './codec/lz4-block.js'
import { xxhash32 } from './codec/xxhash32.js'

/** LZ4 frame magic number 0x184D2204 (bytes `04 22 4D 18`). */
const FRAME_MAGIC = 0x184d2204
/** Skippable frames use magics 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
/** The block size pierrec/lz4 writes for oauth2-proxy (`BlockSizeOption(64 KiB)`). */
const WRITE_BLOCK_SIZE = 64 * 1024
/** FLG: version 01, independent blocks, content checksum (pierrec/lz4 v4 defaults). */
const WRITE_FLG = 0x40 | 0x20 | 0x04
/** BD: block maximum size id 4 = 64 KiB. */
const WRITE_BD = 4 << 4
const STORED_BIT = 0x80000000
/** Default cap on decompressed output: a session cookie is far below this. */
const DEFAULT_MAX_OUTPUT = 1024 * 1024

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
}

function putU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff
  b[i + 1] = (v >>> 8) & 0xff
  b[i + 2] = (v >>> 16) & 0xff
  b[i + 3] = (v >>> 24) & 0xff
}

/**
 * Compresses `data` into one LZ4 frame the way pierrec/lz4 v4 does for oauth2-proxy: 64 KiB independent blocks,
 * no block checksums, a content checksum, each block stored raw when compression does not shrink it.
 */
export function encodeLz4Frame(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = []
  const header = new Uint8Array(7)
  putU32(header, 0, FRAME_MAGIC)
  header[4] = WRITE_FLG
  header[5] = WRITE_BD
  header[6] = (xxhash32(header.subarray(4, 6)) >>> 8) & 0xff
  parts.push(header)
  for (let start = 0; start < data.length; start += WRITE_BLOCK_SIZE) {
    const block = data.subarray(start, Math.min(data.length, start + WRITE_BLOCK_SIZE))
    const compressed = compressLz4Block(block)
    const stored = compressed.length >= block.length
    const size = new Uint8Array(4)
    putU32(size, 0, stored ? (block.length | STORED_BIT) >>> 0 : compressed.length)
    parts.push(size, stored ? block : compressed)
  }
  const trailer = new Uint8Array(8)
  putU32(trailer, 0, 0)
  putU32(trailer, 4, xxhash32(data))
  parts.push(trailer)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Reads `n` bytes at `pos` or fails: every read of the input is bounds-checked here. */
function take(input: Uint8Array, pos: number, n: number, what: string): Uint8Array {
  if (n < 0 || pos + n > input.length) throw malformed(`input ends inside ${what}`)
  return input.subarray(pos, pos + n)
}

/** Decodes one LZ4 frame whose magic starts at `pos`; returns the position after it. */
function decodeFrame(input: Uint8Array, pos: number, out: BoundedOutput): number {
  const descriptorStart = pos + 4
  const [flg, bd] = take(input, descriptorStart, 2, 'the frame descriptor')
  if (flg === undefined || bd === undefined) throw malformed('missing frame descriptor')
  if (flg >>> 6 !== 1) throw malformed(`unsupported frame version ${flg >>> 6}`)
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw malformed('reserved descriptor bits set')
  const independent = (flg & 0x20) !== 0
  const blockChecksums = (flg & 0x10) !== 0
  const hasContentSize = (flg & 0x08) !== 0
  const contentChecksum = (flg & 0x04) !== 0
  if ((flg & 0x01) !== 0) throw malformed('preset dictionaries are not supported')
  const sizeId = (bd >>> 4) & 0x07
  if (sizeId < 4) throw malformed(`invalid block maximum size id ${sizeId}`)
  const maxBlock = 1 << (8 + 2 * sizeId)
  pos = descriptorStart + 2
  let contentSize: number | undefined
  if (hasContentSize) {
    const raw = take(input, pos, 8, 'the content size')
    const high = u32(raw, 4)
    contentSize = high * 0x1_0000_0000 + u32(raw, 0)
    if (high > 0 || contentSize > out.cap) throw malformed('declared content size is larger than allowed')
    pos += 8
  }
  const checksumByte = take(input, pos, 1, 'the header checksum')[0]
  if (checksumByte !== ((xxhash32(input.subarray(descriptorStart, pos)) >>> 8) & 0xff)) throw malformed('header checksum mismatch')
  pos += 1
  const frameStart = out.length
  for (;;) {
    const word = u32(take(input, pos, 4, 'a block size'), 0)
    pos += 4
    if (word === 0) break
    const stored = (word & STORED_BIT) !== 0
    const size = word & 0x7fffffff
    if (size > maxBlock) throw malformed('block is larger than the frame allows')
    const data = take(input, pos, size, 'a block')
    pos += size
    if (blockChecksums) {
      const expected = u32(take(input, pos, 4, 'a block checksum'), 0)
      pos += 4
      if (xxhash32(data) !== expected) throw malformed('block checksum mismatch')
    }
    const blockStart = out.length
    if (stored) out.append(data, blockStart + maxBlock)
    else decompressLz4Block(data, out, independent ? blockStart : frameStart, blockStart + maxBlock)
  }
  if (contentSize !== undefined && out.length - frameStart !== contentSize) throw malformed('content size mismatch')
  if (contentChecksum) {
    const expected = u32(take(input, pos, 4, 'the content checksum'), 0)
    pos += 4
    if (xxhash32(out.view(frameStart)) !== expected) throw malformed('content checksum mismatch')
  }
  return pos
}

/**
 * Decodes LZ4 frame data as pierrec/lz4's reader does: one or more concatenated frames, skippable frames skipped.
 * Supports every frame option except preset dictionaries. Throws ProxyError (ERR_BAD_REQUEST) on malformed
 * input or when the output would pass `maxOutput` bytes (1 MiB by default).
 */
export function decodeLz4Frame(input: Uint8Array, maxOutput = DEFAULT_MAX_OUTPUT): Uint8Array {
  if (input.length === 0) throw malformed('empty input')
  const out = new BoundedOutput(maxOutput)
  let pos = 0
  while (pos < input.length) {
    const magic = u32(take(input, pos, 4, 'a frame magic'), 0)
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      const size = u32(take(input, pos + 4, 4, 'a skippable frame size'), 0)
      take(input, pos + 8, size, 'a skippable frame')
      pos += 8 + size
      continue
    }
    if (magic !== FRAME_MAGIC) throw malformed('bad frame magic')
    pos = decodeFrame(input, pos, out)
  }
  return out.view().slice()
}
