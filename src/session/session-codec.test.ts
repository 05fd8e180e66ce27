import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { ProxyError } from '../errors.js'
import { cfbEncrypt } from '../crypto/aes-cfb.js'
import { encodeLz4Frame } from './lz4-frame.js'
import { decodeSessionMsgpack, encodeSessionMsgpack, openCookieSession, sealCookieSession } from './session-codec.js'
import type { Session } from './session.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const str = (s: string) => {
  const b = Buffer.from(s)
  if (b.length >= 32) throw new Error('fixstr only')
  return Buffer.concat([Buffer.from([0xa0 | b.length]), b])
}
const isBadRequest = (e: unknown) => e instanceof ProxyError && e.code === 'ERR_BAD_REQUEST'

describe('encodeSessionMsgpack', () => {
  it('writes the keys in oauth2-proxy order, omits empty fields and writes a fixext4 timestamp', () => {
    const bytes = encodeSessionMsgpack({ user: 'u', email: 'a@b.c', groups: ['g1', 'g2'], accessToken: 'at', idToken: '', createdAt: new Date(1_700_000_000_000) })
    const expected = Buffer.concat([
      Buffer.from([0x85]),
      str('ca'), Buffer.from('d6ff6553f100', 'hex'),
      str('at'), str('at'),
      str('e'), str('a@b.c'),
      str('u'), str('u'),
      str('g'), Buffer.from([0x92]), str('g1'), str('g2'),
    ])
    assert.equal(hex(bytes), hex(expected))
  })

  it('writes the provider id under its own key last, and only when it is set', () => {
    const bytes = encodeSessionMsgpack({ user: 'u', providerId: 'corp' })
    assert.equal(hex(bytes), hex(Buffer.concat([Buffer.from([0x82]), str('u'), str('u'), str('pid'), str('corp')])))
    assert.deepEqual(decodeSessionMsgpack(bytes), { user: 'u', providerId: 'corp' })
    assert.equal(hex(encodeSessionMsgpack({ user: 'u' })), hex(Buffer.concat([Buffer.from([0x81]), str('u'), str('u')])))
  })

  it('writes every field: nonce as bin, claim numbers as strings, str8 for longer strings', () => {
    const token = 't'.repeat(40)
    const session: Session = {
      createdAt: new Date(1_700_000_000_000),
      expiresOn: new Date(1_700_003_600_000),
      accessToken: token,
      idToken: 'i',
      refreshToken: 'r',
      nonce: new Uint8Array([1, 2, 3]),
      email: 'e',
      user: 'u',
      groups: ['g'],
      preferredUsername: 'p',
      additionalClaims: { n: 5, nested: { x: 1.5, list: [1, 'a', true, null] } },
    }
    const expected = Buffer.concat([
      Buffer.from([0x8b]),
      str('ca'), Buffer.from('d6ff6553f100', 'hex'),
      str('eo'), Buffer.from('d6ff6553ff10', 'hex'),
      str('at'), Buffer.from([0xd9, 40]), Buffer.from(token),
      str('it'), str('i'),
      str('rt'), str('r'),
      str('n'), Buffer.from('c403010203', 'hex'),
      str('e'), str('e'),
      str('u'), str('u'),
      str('g'), Buffer.from([0x91]), str('g'),
      str('pu'), str('p'),
      str('ac'), Buffer.from([0x82]), str('n'), str('5'), str('nested'), Buffer.from([0x82]), str('x'), str('1.5'), str('list'),
      Buffer.from([0x94]), str('1'), str('a'), Buffer.from([0xc3, 0xc0]),
    ])
    assert.equal(hex(encodeSessionMsgpack(session)), hex(expected))
  })

  it('writes timestamps as Go does: fixext8 with nanoseconds or past 32 bits, ext8 of 12 bytes before 1970', () => {
    const at = (ms: number) => hex(encodeSessionMsgpack({ createdAt: new Date(ms) }).subarray(4))
    // 1700000000.123 s: nsec 123000000 << 34 | sec.
    const nsec = 123_000_000
    const withNanos = Buffer.alloc(8)
    withNanos.writeUInt32BE(nsec * 4 + 0)
    withNanos.writeUInt32BE(1_700_000_000, 4)
    assert.equal(at(1_700_000_000_123), `d7ff${withNanos.toString('hex')}`)
    assert.equal(at(2 ** 32 * 1000), 'd7ff0000000100000000')
    const before = Buffer.alloc(12)
    before.writeUInt32BE(500_000_000)
    before.writeBigInt64BE(-2n, 4)
    assert.equal(at(-1500), `c70cff${before.toString('hex')}`)
  })

  it('drops a __proto__ claim so that the session still reads back', () => {
    const claims = JSON.parse('{"__proto__": {"x": 1}, "ok": true}') as Record<string, unknown>
    assert.deepEqual(decodeSessionMsgpack(encodeSessionMsgpack({ user: 'u', additionalClaims: claims })), { user: 'u', additionalClaims: { ok: true } })
  })

  it("omits Go's zero time and invalid dates", () => {
    assert.equal(hex(encodeSessionMsgpack({ createdAt: new Date(-62135596800000), expiresOn: new Date(Number.NaN), user: 'u' })), hex(Buffer.concat([Buffer.from([0x81]), str('u'), str('u')])))
  })
})

describe('decodeSessionMsgpack', () => {
  const full: Session = {
    createdAt: new Date(1_700_000_000_123),
    expiresOn: new Date(-5000),
    accessToken: 'a'.repeat(300),
    idToken: 'i',
    refreshToken: 'r',
    nonce: new Uint8Array(randomBytes(32)),
    email: 'e@x',
    user: 'ü',
    groups: ['g1', ''],
    preferredUsername: 'p',
    additionalClaims: { s: 'v', deep: { list: ['1', true] } },
  }

  it('round-trips every field', () => {
    assert.deepEqual(decodeSessionMsgpack(encodeSessionMsgpack(full)), full)
  })

  it('reads legacy times: [sec, nsec] arrays, RFC 3339 strings and ext 13; zero time is unset', () => {
    const zero = Buffer.alloc(12)
    zero.writeBigInt64BE(-62135596800n, 4)
    const good = Buffer.concat([
      Buffer.from([0x84]),
      str('ca'), Buffer.from([0x92, 0xce]), Buffer.from('6553f100', 'hex'), Buffer.from([0xce]), Buffer.from('05f5e100', 'hex'),
      str('eo'), str('2023-11-14T22:13:20.5+01:00'),
      str('zz'), Buffer.from('d60d6553f100', 'hex'),
      str('e'), str('x'),
    ])
    assert.deepEqual(decodeSessionMsgpack(good), { createdAt: new Date(1_700_000_000_100), expiresOn: new Date(1_699_996_400_500), email: 'x' })
    const legacyExt = Buffer.concat([Buffer.from([0x82]), str('eo'), Buffer.from('d60d6553f100', 'hex'), str('ca'), Buffer.concat([Buffer.from('c70cff', 'hex'), zero])])
    assert.deepEqual(decodeSessionMsgpack(legacyExt), { expiresOn: new Date(1_700_000_000_000) })
    const timeForString = Buffer.concat([Buffer.from([0x81]), str('u'), Buffer.from('d60d6553f100', 'hex')])
    assert.throws(() => decodeSessionMsgpack(timeForString), isBadRequest)
  })

  it('accepts bin where Go accepts it, nil fields, unknown keys and trailing bytes', () => {
    const bytes = Buffer.concat([
      Buffer.from([0x85]),
      str('e'), Buffer.from([0xc4, 1]), Buffer.from('m'),
      str('n'), str('abc'),
      str('u'), Buffer.from([0xc0]),
      str('unknown'), Buffer.from([0x93, 1, 2, 3]),
      str('g'), Buffer.from([0x92, 0xc4, 1, 0x41, 0xc0]),
      Buffer.from([0xff, 0xff]),
    ])
    assert.deepEqual(decodeSessionMsgpack(bytes), { email: 'm', nonce: new Uint8Array(Buffer.from('abc')), groups: ['A', ''] })
  })

  it('rejects what oauth2-proxy rejects: empty sessions, non-UTF-8 strings, wrong types, non-string keys', () => {
    const cases = [
      Buffer.from([0x80]),
      Buffer.concat([Buffer.from([0x81]), str('e'), str('')]),
      Buffer.concat([Buffer.from([0x81]), str('zz'), str('x')]),
      Buffer.concat([Buffer.from([0x81]), str('e'), Buffer.from([0xa2, 0xc3, 0x28])]),
      Buffer.concat([Buffer.from([0x81]), str('at'), Buffer.from([0xa3, 0xed, 0xa0, 0x80])]),
      Buffer.concat([Buffer.from([0x81]), str('e'), Buffer.from([0x05])]),
      Buffer.concat([Buffer.from([0x81]), str('g'), str('x')]),
      Buffer.concat([Buffer.from([0x81]), str('ac'), Buffer.from([0x91, 1])]),
      Buffer.concat([Buffer.from([0x81]), str('ca'), Buffer.from([0x05])]),
      Buffer.concat([Buffer.from([0x81]), str('ca'), Buffer.from('d5ff0000', 'hex')]),
      Buffer.concat([Buffer.from([0x81]), str('ca'), str('yesterday')]),
      Buffer.from([0x81, 0x01, 0xa1, 0x78]),
      Buffer.from([0x92, 0xa1, 0x78, 0xa1, 0x79]),
      Buffer.from([0xa1, 0x78]),
      Buffer.from([0x81]),
      Buffer.alloc(0),
      Buffer.from([0xc1]),
    ]
    for (const [i, bytes] of cases.entries()) assert.throws(() => decodeSessionMsgpack(bytes), isBadRequest, `case ${i}`)
  })

  it('keeps a non-UTF-8 byte sequence out of the session even inside a valid map', () => {
    assert.throws(() => decodeSessionMsgpack(Buffer.concat([Buffer.from([0x82]), str('u'), str('ok'), str('pu'), Buffer.from([0xa1, 0xff])])), isBadRequest)
  })

  it('throws only ProxyError and returns only non-empty sessions for random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          assert.ok(Object.keys(decodeSessionMsgpack(bytes)).length > 0)
        } catch (error) {
          assert.ok(isBadRequest(error), String(error))
        }
      }),
      { numRuns: 5000 },
    )
  })
})

describe('sealCookieSession / openCookieSession', () => {
  const session: Session = { createdAt: new Date(1_700_000_000_000), email: 'user@example.com', user: 'user', accessToken: 'x'.repeat(2000), groups: ['a', 'b'] }

  it('round-trips with AES-128, -192 and -256 keys', () => {
    for (const n of [16, 24, 32]) {
      const key = randomBytes(n)
      const sealed = sealCookieSession(session, key)
      assert.ok(sealed.length < 300, 'the repetitive token compresses')
      assert.deepEqual(openCookieSession(sealed, key), session)
    }
  })

  it('returns undefined for a wrong key, a changed byte, a truncation and a non-LZ4 payload', () => {
    const key = randomBytes(32)
    const sealed = sealCookieSession(session, key)
    assert.equal(openCookieSession(sealed, randomBytes(32)), undefined)
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed)
      bad[i]! ^= 0x10
      assert.equal(openCookieSession(bad, key), undefined, `byte ${i}`)
    }
    for (const n of [0, 15, 16, 20, sealed.length - 1]) assert.equal(openCookieSession(sealed.subarray(0, n), key), undefined)
    assert.equal(openCookieSession(cfbEncrypt(key, encodeSessionMsgpack(session)), key), undefined)
    assert.equal(openCookieSession(sealed, randomBytes(20)), undefined)
    assert.deepEqual(openCookieSession(cfbEncrypt(key, encodeLz4Frame(encodeSessionMsgpack(session))), key), session)
  })

  it('never throws and never returns a session for random payloads (property)', () => {
    const key = randomBytes(32)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.equal(openCookieSession(Buffer.from(bytes), key), undefined)
      }),
      { numRuns: 3000 },
    )
  })
})
