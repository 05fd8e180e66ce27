import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { xxhash32 } from './xxhash32.js'

/** xxHash32 written plainly with BigInt arithmetic, as the specification reads. */
function referenceXxhash32(data: Uint8Array, seed = 0): number {
  const M = 0xffffffffn
  const P1 = 2654435761n, P2 = 2246822519n, P3 = 3266489917n, P4 = 668265263n, P5 = 374761393n
  const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (32n - r))) & M
  const lane = (i: number) => BigInt(data[i]! + data[i + 1]! * 256 + data[i + 2]! * 65536 + data[i + 3]! * 16777216)
  const s = BigInt(seed)
  let i = 0
  let h: bigint
  if (data.length >= 16) {
    const v = [(s + P1 + P2) & M, (s + P2) & M, s & M, (s - P1) & M]
    for (; i + 16 <= data.length; i += 16) {
      for (let k = 0; k < 4; k++) v[k] = (rotl((v[k]! + lane(i + 4 * k) * P2) & M, 13n) * P1) & M
    }
    h = (rotl(v[0]!, 1n) + rotl(v[1]!, 7n) + rotl(v[2]!, 12n) + rotl(v[3]!, 18n)) & M
  } else h = (s + P5) & M
  h = (h + BigInt(data.length)) & M
  for (; i + 4 <= data.length; i += 4) h = (rotl((h + lane(i) * P3) & M, 17n) * P4) & M
  for (; i < data.length; i++) h = (rotl((h + BigInt(data[i]!) * P5) & M, 11n) * P1) & M
  h ^= h >> 15n
  h = (h * P2) & M
  h ^= h >> 13n
  h = (h * P3) & M
  h ^= h >> 16n
  return Number(h)
}

describe('xxhash32', () => {
  it('matches published vectors', () => {
    assert.equal(xxhash32(new Uint8Array(0)), 0x02cc5d05)
    assert.equal(xxhash32(Buffer.from('a')), 0x550d7456)
    assert.equal(xxhash32(Buffer.from('abc')), 0x32d153ff)
    assert.equal(xxhash32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f)
  })

  it('agrees with a BigInt reference for any input and seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), (data, seed) => {
        assert.equal(xxhash32(data, seed), referenceXxhash32(data, seed))
      }),
      { numRuns: 500 },
    )
  })
})
