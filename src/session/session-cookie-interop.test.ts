/**
 * oauth2-proxy session cookies built and read by hand from the specification (reference §4.1–4.4), independent of
 * the codec: hand-written MessagePack, a hand-built LZ4 frame, node:crypto AES-CFB and HMAC. The codec must read
 * what this test writes, and this test must read what the codec writes.
 */
import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { cookieSecretKeys } from '../crypto/cookie-secret.js'
import { openSignedValue, signValue } from '../crypto/signed-value.js'
import { joinCookie, splitCookie } from '../cookies/chunk.js'
import { openCookieSession, sealCookieSession } from './session-codec.js'
import type { Session } from './session.js'

const NAME = '_oauth2_proxy'
const NOW_SEC = 1_700_000_000
const WEEK_MS = 7 * 24 * 3600 * 1000

/** xxHash32 straight from the specification, in BigInt. */
function xxh32(data: Uint8Array): number {
  const M = 0xffffffffn
  const P1 = 2654435761n, P2 = 2246822519n, P3 = 3266489917n, P4 = 668265263n, P5 = 374761393n
  const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (32n - r))) & M
  const lane = (i: number) => BigInt(data[i]! + data[i + 1]! * 256 + data[i + 2]! * 65536 + data[i + 3]! * 16777216)
  let i = 0
  let h: bigint
  if (data.length >= 16) {
    const v = [(P1 + P2) & M, P2, 0n, (M + 1n - P1) & M]
    for (; i + 16 <= data.length; i += 16) for (let k = 0; k < 4; k++) v[k] = (rotl((v[k]! + lane(i + 4 * k) * P2) & M, 13n) * P1) & M
    h = (rotl(v[0]!, 1n) + rotl(v[1]!, 7n) + rotl(v[2]!, 12n) + rotl(v[3]!, 18n)) & M
  } else h = P5
  h = (h + BigInt(data.length)) & M
  for (; i + 4 <= data.length; i += 4) h = (rotl((h + lane(i) * P3) & M, 17n) * P4) & M
  for (; i < data.length; i++) h = (rotl((h + BigInt(data[i]!) * P5) & M, 11n) * P1) & M
  h = ((h ^ (h >> 15n)) * P2) & M
  h = ((h ^ (h >> 13n)) * P3) & M
  return Number(h ^ (h >> 16n))
}

const le32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n >>> 0)
  return b
}
const fixstr = (s: string) => Buffer.concat([Buffer.from([0xa0 | Buffer.byteLength(s)]), Buffer.from(s)])
const toUrl = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_')
const fromUrl = (b64: string) => Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/'), 'base64')

/** MessagePack of {ca: 1700000000 (fixext4), at?: token, e, u, g: ['admins'], pu}, in oauth2-proxy's key order. */
function handMsgpack(token?: string): Buffer {
  const parts = [Buffer.from([token === undefined ? 0x85 : 0x86]), fixstr('ca'), Buffer.from([0xd6, 0xff]), Buffer.from('6553f100', 'hex')]
  if (token !== undefined) {
    const t = Buffer.from(token)
    const header = Buffer.from([0xda, 0, 0])
    header.writeUInt16BE(t.length, 1)
    parts.push(fixstr('at'), header, t)
  }
  parts.push(fixstr('e'), fixstr('jane@example.com'), fixstr('u'), fixstr('jane'), fixstr('g'), Buffer.from([0x91]), fixstr('admins'), fixstr('pu'), fixstr('jane.doe'))
  return Buffer.concat(parts)
}
const handSession = (token?: string): Session => ({
  createdAt: new Date(NOW_SEC * 1000),
  ...(token === undefined ? {} : { accessToken: token }),
  email: 'jane@example.com',
  user: 'jane',
  groups: ['admins'],
  preferredUsername: 'jane.doe',
})

/** An LZ4 frame with one stored block: FLG 0x64 (v1, independent, content checksum), BD 0x40 (64 KiB). */
function handFrame(data: Buffer): Buffer {
  const descriptor = Buffer.from([0x64, 0x40])
  return Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18]), descriptor, Buffer.from([(xxh32(descriptor) >>> 8) & 0xff]), le32(data.length | 0x80000000), data, le32(0), le32(xxh32(data))])
}

function handCookie(secret: string, aesKey: Buffer, plaintext: Buffer): string {
  const iv = randomBytes(16)
  const cipher = createCipheriv(`aes-${aesKey.length * 8}-cfb`, aesKey, iv)
  const payload = Buffer.concat([iv, cipher.update(handFrame(plaintext)), cipher.final()])
  const value = toUrl(payload.toString('base64'))
  const sig = toUrl(createHmac('sha256', secret).update(NAME + value + String(NOW_SEC)).digest('base64'))
  return `${value}|${NOW_SEC}|${sig}`
}

function codecRead(secret: string, cookie: string): Session | undefined {
  const keys = cookieSecretKeys(secret)
  const opened = openSignedValue(NAME, cookie, keys.hmacKey, WEEK_MS, NOW_SEC * 1000 + 60_000)
  return opened === undefined ? undefined : openCookieSession(opened.payload, keys.aesKey)
}

/** A minimal LZ4 block decoder, written from the block format description. */
function handBlock(src: Buffer, out: number[]): void {
  let i = 0
  const length = (n: number) => {
    if (n !== 15) return n
    let b: number
    do n += b = src[i++]!
    while (b === 255)
    return n
  }
  for (;;) {
    const token = src[i++]!
    const literals = length(token >> 4)
    for (let k = 0; k < literals; k++) out.push(src[i++]!)
    if (i >= src.length) return
    const offset = src[i]! | (src[i + 1]! << 8)
    i += 2
    const match = length(token & 15) + 4
    const from = out.length - offset
    for (let k = 0; k < match; k++) out.push(out[from + k]!)
  }
}

/** Reads a cookie value by hand: HMAC, base64, AES-CFB, LZ4 frame; returns the MessagePack bytes and the count of compressed blocks. */
function handRead(secret: string, aesKey: Buffer, cookie: string): { data: Buffer; compressedBlocks: number } {
  const [value, ts, sig] = cookie.split('|') as [string, string, string]
  assert.equal(sig, toUrl(createHmac('sha256', secret).update(NAME + value + ts).digest('base64')))
  assert.match(value, /^[A-Za-z0-9_-]*={0,2}$/)
  assert.equal(value.length % 4, 0, 'padded base64')
  const payload = fromUrl(value)
  const decipher = createDecipheriv(`aes-${aesKey.length * 8}-cfb`, aesKey, payload.subarray(0, 16))
  const frame = Buffer.concat([decipher.update(payload.subarray(16)), decipher.final()])
  assert.equal(frame.readUInt32LE(0), 0x184d2204)
  const flg = frame[4]!
  assert.equal(flg >> 6, 1)
  let pos = 6 + ((flg & 0x08) !== 0 ? 8 : 0)
  assert.equal(frame[pos], (xxh32(frame.subarray(4, pos)) >>> 8) & 0xff)
  pos += 1
  const out: number[] = []
  let compressedBlocks = 0
  for (;;) {
    const size = frame.readUInt32LE(pos)
    pos += 4
    if (size === 0) break
    const block = frame.subarray(pos, pos + (size & 0x7fffffff))
    pos += block.length
    if ((size & 0x80000000) !== 0) out.push(...block)
    else {
      handBlock(block, out)
      compressedBlocks++
    }
    if ((flg & 0x10) !== 0) pos += 4
  }
  const data = Buffer.from(out)
  if ((flg & 0x04) !== 0) assert.equal(frame.readUInt32LE(pos), xxh32(data))
  return { data, compressedBlocks }
}

describe('session cookie built by hand from the specification', () => {
  const secret = 'OQINaROshtE9TcZkNAm-5Zs2Pv3xaWytBmc5W7sPX7w='
  const aesKey = Buffer.from('OQINaROshtE9TcZkNAm-5Zs2Pv3xaWytBmc5W7sPX7w', 'base64url')

  it('is read by the codec (AES-256 from a base64url secret)', () => {
    assert.equal(aesKey.length, 32)
    assert.deepEqual(codecRead(secret, handCookie(secret, aesKey, handMsgpack())), handSession())
  })

  it('is read after being split over _0, _1 … cookies', () => {
    const token = `eyJ${'A'.repeat(2000)}.${'B'.repeat(2000)}`
    const cookie = handCookie(secret, aesKey, handMsgpack(token))
    const parts = splitCookie(NAME, cookie, 'Path=/; Max-Age=604800; HttpOnly; Secure')
    assert.ok(parts.length >= 2)
    const joined = joinCookie(NAME, Object.fromEntries(parts.map((p) => [p.name, p.value])))
    assert.equal(joined, cookie)
    assert.deepEqual(codecRead(secret, joined ?? ''), handSession(token))
  })

  it('uses AES-192 for a 32-character alphanumeric secret, as oauth2-proxy does', () => {
    const alnum = 'abcdefghijklmnopqrstuvwxyz012345'
    const key192 = Buffer.from(alnum, 'base64url')
    assert.equal(key192.length, 24)
    assert.deepEqual(codecRead(alnum, handCookie(alnum, key192, handMsgpack())), handSession())
    assert.equal(codecRead(alnum, handCookie(alnum, Buffer.from(alnum), handMsgpack())), undefined)
  })

  it('uses a secret with + and / raw', () => {
    const raw = 'abcdefghijklmnop+/qrstuvwxyz0123'
    assert.deepEqual(codecRead(raw, handCookie(raw, Buffer.from(raw), handMsgpack())), handSession())
  })

  it('is refused under another name, another secret, or when expired', () => {
    const cookie = handCookie(secret, aesKey, handMsgpack())
    const keys = cookieSecretKeys(secret)
    assert.equal(openSignedValue('_other', cookie, keys.hmacKey, WEEK_MS, NOW_SEC * 1000), undefined)
    assert.equal(codecRead('OQINaROshtE9TcZkNAm-5Zs2Pv3xaWytBmc5W7sPX7x=', cookie), undefined)
    assert.equal(openSignedValue(NAME, cookie, keys.hmacKey, WEEK_MS, NOW_SEC * 1000 + WEEK_MS), undefined)
  })
})

describe('session cookie written by the codec', () => {
  const secret = 'OQINaROshtE9TcZkNAm-5Zs2Pv3xaWytBmc5W7sPX7w='

  for (const token of [undefined, `eyJ${'A'.repeat(300)}`]) {
    it(`reads back by hand to the hand-written MessagePack bytes${token === undefined ? '' : ' (compressed block)'}`, () => {
      const keys = cookieSecretKeys(secret)
      const cookie = signValue(NAME, sealCookieSession(handSession(token), keys.aesKey), keys.hmacKey, NOW_SEC)
      const read = handRead(secret, Buffer.from(secret.replace(/=+$/, ''), 'base64url'), cookie)
      assert.deepEqual(read.data, handMsgpack(token))
      assert.equal(read.compressedBlocks, token === undefined ? 0 : 1)
    })
  }

  it('reads back by hand with an AES-192 key from an alphanumeric secret', () => {
    const alnum = 'abcdefghijklmnopqrstuvwxyz012345'
    const keys = cookieSecretKeys(alnum)
    const cookie = signValue(NAME, sealCookieSession(handSession(), keys.aesKey), keys.hmacKey, NOW_SEC)
    assert.deepEqual(handRead(alnum, Buffer.from(alnum, 'base64url'), cookie).data, handMsgpack())
  })
})
