import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import { createDecipheriv, createHash, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { cfbEncrypt } from '../crypto/aes-cfb.js'
import { hashNonce, openCsrf, sealCsrf } from './csrf-codec.js'

const key = randomBytes(32)
const stateNonce = randomBytes(32)
const oidcNonce = randomBytes(32)

function plaintext(sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-cfb', key, sealed.subarray(0, 16))
  return Buffer.concat([decipher.update(sealed.subarray(16)), decipher.final()])
}

describe('sealCsrf', () => {
  it('encrypts the msgpack map {s: bin, n: bin, cv: str} with no compression', () => {
    const expected = Buffer.concat([
      Buffer.from([0x83, 0xa1, 0x73, 0xc4, 32]), stateNonce,
      Buffer.from([0xa1, 0x6e, 0xc4, 32]), oidcNonce,
      Buffer.from([0xa2, 0x63, 0x76, 0xd9, 43]), Buffer.from('v'.repeat(43)),
    ])
    assert.deepEqual(plaintext(sealCsrf({ stateNonce, oidcNonce, codeVerifier: 'v'.repeat(43) }, key)), expected)
  })

  it('carries the provider id under p, after the nonces, and reads it back', () => {
    const sealed = sealCsrf({ stateNonce, oidcNonce, providerId: 'corp' }, key)
    const expected = Buffer.concat([Buffer.from([0x83, 0xa1, 0x73, 0xc4, 32]), stateNonce, Buffer.from([0xa1, 0x6e, 0xc4, 32]), oidcNonce, Buffer.from([0xa1, 0x70, 0xa4]), Buffer.from('corp')])
    assert.deepEqual(plaintext(sealed), expected)
    assert.equal(openCsrf(sealed, key)?.providerId, 'corp')
    assert.equal(openCsrf(sealCsrf({ stateNonce, oidcNonce }, key), key)?.providerId, undefined)
  })

  it('omits cv without PKCE', () => {
    const expected = Buffer.concat([Buffer.from([0x82, 0xa1, 0x73, 0xc4, 32]), stateNonce, Buffer.from([0xa1, 0x6e, 0xc4, 32]), oidcNonce])
    assert.deepEqual(plaintext(sealCsrf({ stateNonce, oidcNonce }, key)), expected)
  })
})

describe('openCsrf', () => {
  it('round-trips with and without a code verifier', () => {
    assert.deepEqual(openCsrf(sealCsrf({ stateNonce, oidcNonce, codeVerifier: 'abc' }, key), key), { stateNonce, oidcNonce, codeVerifier: 'abc' })
    assert.deepEqual(openCsrf(sealCsrf({ stateNonce, oidcNonce }, key), key), { stateNonce, oidcNonce })
  })

  it('returns undefined for a wrong key, missing nonces, non-maps and short input', () => {
    const sealed = sealCsrf({ stateNonce, oidcNonce }, key)
    assert.equal(openCsrf(sealed, randomBytes(32)), undefined)
    assert.equal(openCsrf(cfbEncrypt(key, Buffer.concat([Buffer.from([0x81, 0xa1, 0x73, 0xc4, 32]), stateNonce])), key), undefined)
    assert.equal(openCsrf(cfbEncrypt(key, Buffer.from([0x92, 0x01, 0x02])), key), undefined)
    assert.equal(openCsrf(sealed.subarray(0, 15), key), undefined)
    assert.equal(openCsrf(sealed.subarray(0, 40), key), undefined)
  })

  it('never throws and never opens random payloads (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.equal(openCsrf(Buffer.from(bytes), key), undefined)
      }),
      { numRuns: 3000 },
    )
  })
})

describe('hashNonce', () => {
  it('is unpadded base64url of SHA-256', () => {
    assert.equal(hashNonce(Buffer.from('abc')), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
    assert.equal(hashNonce(stateNonce), createHash('sha256').update(stateNonce).digest('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'))
  })
})
