import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { ProxyError } from '../errors.js'
import { xxhash32 } from './codec/xxhash32.js'
import { decodeLz4Frame, encodeLz4Frame } from './lz4-frame.js'

const hex = (h: string) => Buffer.from(h, 'hex')
const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n >>> 0)
  return b
}
/** Builds a frame header by hand: magic, FLG, BD, optional content size, header checksum (reference LZ4 frame spec). */
function header(flg: number, bd: number, contentSize?: number): Buffer {
  const descriptor = [Buffer.from([flg, bd])]
  if (contentSize !== undefined) {
    const size = Buffer.alloc(8)
    size.writeBigUInt64LE(BigInt(contentSize))
    descriptor.push(size)
  }
  const d = Buffer.concat(descriptor)
  return Buffer.concat([hex('04224d18'), d, Buffer.from([(xxhash32(d) >>> 8) & 0xff])])
}
const isProxyError = (e: unknown) => e instanceof ProxyError && e.code === 'ERR_BAD_REQUEST'

describe('decodeLz4Frame: frames written by the lz4 command-line tool', () => {
  const text = Buffer.from('hello hello hello hello hello hello hello hello!\n')

  it('reads the default frame (independent blocks, content checksum)', () => {
    assert.deepEqual(Buffer.from(decodeLz4Frame(hex('04224d186440a7100000006f68656c6c6f20060013506c6c6f210a0000000002052ace'))), text)
  })

  it('reads linked blocks with block checksums', () => {
    assert.deepEqual(Buffer.from(decodeLz4Frame(hex('04224d187440bd100000006f68656c6c6f20060013506c6c6f210a024c6d610000000002052ace'))), text)
  })

  it('reads a frame with a content size and no content checksum', () => {
    assert.deepEqual(Buffer.from(decodeLz4Frame(hex('04224d18684031000000000000007f100000006f68656c6c6f20060013506c6c6f210a00000000'))), text)
  })

  it('reads long literal and match lengths', () => {
    const frame = hex('04224d186440a73f0000001f610100ffffffd7ff1c54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f671204ff15506161616161000000006bce6230')
    assert.equal(Buffer.from(decodeLz4Frame(frame)).toString(), `${'a'.repeat(1000)}The quick brown fox jumps over the lazy dog${'a'.repeat(300)}`)
  })

  it('reads the empty frame', () => {
    assert.equal(decodeLz4Frame(hex('04224d186440a700000000055dcc02')).length, 0)
  })
})

describe('decodeLz4Frame: frames built by hand', () => {
  const first = Buffer.from('0123456789abcdefghij')
  // Second block: no literals, a 16-byte match 20 bytes back (into the first block), then 3 final literals.
  const second = Buffer.concat([Buffer.from([0x0c, 20, 0]), Buffer.from([0x30]), Buffer.from('XYZ')])
  const expected = Buffer.concat([first, Buffer.from('0123456789abcdef'), Buffer.from('XYZ')])

  function linkedFrame(flg: number, contentSize?: number, corrupt?: 'block' | 'content'): Buffer {
    const blockSum = xxhash32(second) ^ (corrupt === 'block' ? 1 : 0)
    return Buffer.concat([
      header(flg, 0x40, contentSize),
      u32(first.length | 0x80000000), first, u32(xxhash32(first)),
      u32(second.length), second, u32(blockSum),
      u32(0),
      u32(xxhash32(expected) ^ (corrupt === 'content' ? 1 : 0)),
    ])
  }

  it('reads linked blocks whose match reaches into the previous block, with block and content checksums', () => {
    assert.deepEqual(Buffer.from(decodeLz4Frame(linkedFrame(0x54))), expected)
  })

  it('checks a declared content size', () => {
    assert.deepEqual(Buffer.from(decodeLz4Frame(linkedFrame(0x5c, expected.length))), expected)
    assert.throws(() => decodeLz4Frame(linkedFrame(0x5c, expected.length + 1)), isProxyError)
  })

  it('rejects the same cross-block match when blocks are independent', () => {
    assert.throws(() => decodeLz4Frame(linkedFrame(0x74)), isProxyError)
  })

  it('rejects a bad block checksum and a bad content checksum', () => {
    assert.throws(() => decodeLz4Frame(linkedFrame(0x54, undefined, 'block')), isProxyError)
    assert.throws(() => decodeLz4Frame(linkedFrame(0x54, undefined, 'content')), isProxyError)
  })

  it('skips skippable frames and reads concatenated frames', () => {
    const skippable = Buffer.concat([hex('5a2a4d18'), u32(3), Buffer.from('xyz')])
    const one = Buffer.from(encodeLz4Frame(Buffer.from('one ')))
    const two = Buffer.from(encodeLz4Frame(Buffer.from('two')))
    assert.equal(Buffer.from(decodeLz4Frame(Buffer.concat([skippable, one, skippable, two]))).toString(), 'one two')
  })

  it('rejects a bad magic, version, reserved bits, header checksum, dictionary and oversize block', () => {
    const good = linkedFrame(0x54)
    const cases: Buffer[] = [
      Buffer.concat([hex('05224d18'), good.subarray(4)]),
      Buffer.concat([header(0x94, 0x40), u32(0)]),
      Buffer.concat([header(0x56, 0x40), u32(0)]),
      Buffer.concat([header(0x54, 0x41), u32(0)]),
      Buffer.concat([header(0x54, 0x30), u32(0)]),
      Buffer.concat([hex('04224d18'), Buffer.from([0x40, 0x40, ((xxhash32(Buffer.from([0x40, 0x40])) >>> 8) & 0xff) ^ 1]), u32(0)]),
      Buffer.concat([header(0x55, 0x40), u32(0)]),
      Buffer.concat([header(0x40, 0x40), u32(0x10001 | 0x80000000), Buffer.alloc(0x10001), u32(0)]),
      Buffer.concat([header(0x40, 0x40), u32(3), Buffer.from([0x10, 0x41, 0x00]), u32(0)]),
      Buffer.concat([header(0x40, 0x40), u32(4), Buffer.from([0x10, 0x41, 0x00, 0x00]), u32(0)]),
      Buffer.concat([good, Buffer.from([1, 2, 3])]),
      Buffer.alloc(0),
    ]
    for (const [i, frame] of cases.entries()) assert.throws(() => decodeLz4Frame(frame), isProxyError, `case ${i}`)
  })

  it('rejects every truncation of a valid frame', () => {
    const good = linkedFrame(0x5c, expected.length)
    for (let n = 0; n < good.length; n++) assert.throws(() => decodeLz4Frame(good.subarray(0, n)), isProxyError, `length ${n}`)
  })

  it('caps the output at 1 MiB unless told otherwise', () => {
    const frame = encodeLz4Frame(new Uint8Array(1024 * 1024 + 1))
    assert.ok(frame.length < 10_000)
    assert.throws(() => decodeLz4Frame(frame), isProxyError)
    assert.equal(decodeLz4Frame(frame, 2 * 1024 * 1024).length, 1024 * 1024 + 1)
    assert.equal(decodeLz4Frame(encodeLz4Frame(new Uint8Array(1024 * 1024))).length, 1024 * 1024)
  })
})

describe('encodeLz4Frame', () => {
  it('writes pierrec/lz4 defaults: 64 KiB independent blocks, content checksum, no block checksums', () => {
    const data = Buffer.from('x'.repeat(100))
    const frame = Buffer.from(encodeLz4Frame(data))
    assert.equal(frame.subarray(0, 7).toString('hex'), '04224d186440a7')
    assert.equal(frame.readUInt32LE(frame.length - 4), xxhash32(data))
    assert.equal(frame.readUInt32LE(frame.length - 8), 0)
    const size = frame.readUInt32LE(7)
    assert.equal(size & 0x80000000, 0, 'repetitive data is compressed')
    assert.ok(size < 20)
  })

  it('stores incompressible blocks raw and splits at 64 KiB', () => {
    const data = Buffer.alloc(70000)
    let x = 12345
    for (let i = 0; i < data.length; i++) data[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24
    const frame = Buffer.from(encodeLz4Frame(data))
    assert.equal(frame.readUInt32LE(7), (65536 | 0x80000000) >>> 0)
    assert.deepEqual(frame.subarray(11, 11 + 65536), data.subarray(0, 65536))
    assert.equal(frame.readUInt32LE(11 + 65536), ((70000 - 65536) | 0x80000000) >>> 0)
    assert.deepEqual(Buffer.from(decodeLz4Frame(frame)), data)
  })

  it('round-trips sizes around the block and match limits', () => {
    for (const n of [0, 1, 5, 12, 13, 16, 65535, 65536, 65537, 200000]) {
      const data = Buffer.alloc(n)
      for (let i = 0; i < n; i++) data[i] = (i * 7) % 251 < 120 ? 97 : i % 13
      assert.deepEqual(Buffer.from(decodeLz4Frame(encodeLz4Frame(data))), data, `size ${n}`)
    }
  })

  it('round-trips any data (property)', () => {
    const lowEntropy = fc.array(fc.constantFrom(0, 1, 2, 97), { maxLength: 3000 }).map((a) => Uint8Array.from(a))
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), lowEntropy), (data) => {
        assert.deepEqual(decodeLz4Frame(encodeLz4Frame(data)), data)
      }),
      { numRuns: 500 },
    )
  })
})

describe('decodeLz4Frame on hostile input (property)', () => {
  function expectOnlyProxyError(input: Uint8Array): void {
    try {
      const out = decodeLz4Frame(input)
      assert.ok(out.length <= 1024 * 1024)
    } catch (error) {
      assert.ok(isProxyError(error), String(error))
    }
  }

  it('throws only ProxyError for random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), expectOnlyProxyError), { numRuns: 3000 })
  })

  it('throws only ProxyError for random blocks behind a valid header', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x40, 0x60, 0x50, 0x44), fc.uint8Array({ maxLength: 400 }), (flg, body) => {
        expectOnlyProxyError(Buffer.concat([header(flg, 0x40), u32(body.length), body, u32(0)]))
      }),
      { numRuns: 3000 },
    )
  })

  it('never accepts a valid frame with one byte changed unless the content is unchanged', () => {
    const data = Buffer.from('session data session data session data, with some more text to compress '.repeat(4))
    const frame = Buffer.from(encodeLz4Frame(data))
    fc.assert(
      fc.property(fc.nat(frame.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bad = Buffer.from(frame)
        bad[at]! ^= flip
        try {
          assert.deepEqual(Buffer.from(decodeLz4Frame(bad)), data)
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error
          assert.ok(isProxyError(error), String(error))
        }
      }),
      { numRuns: 2000 },
    )
  })
})
