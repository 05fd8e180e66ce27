import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import { cookieSecretKeys, cookieSecretProblem } from './cookie-secret.js'

describe('cookieSecretKeys', () => {
  it('decodes a base64url secret with padding to a 32-byte AES key and keeps the string as the HMAC key', () => {
    const secret = 'OQINaROshtE9TcZkNAm-5Zs2Pv3xaWytBmc5W7sPX7w='
    const { hmacKey, aesKey } = cookieSecretKeys(secret)
    assert.equal(aesKey.length, 32)
    assert.deepEqual(aesKey, Buffer.from('OQINaROshtE9TcZkNAm-5Zs2Pv3xaWytBmc5W7sPX7w', 'base64url'))
    assert.deepEqual(hmacKey, Buffer.from(secret, 'utf8'))
  })

  it('turns a 32-character alphanumeric secret into a 24-byte AES-192 key (the documented pitfall)', () => {
    const secret = 'abcdefghijklmnopqrstuvwxyz012345'
    const { hmacKey, aesKey } = cookieSecretKeys(secret)
    assert.equal(aesKey.length, 24)
    assert.deepEqual(aesKey, Buffer.from(secret, 'base64url'))
    assert.equal(hmacKey.toString('utf8'), secret)
    assert.equal(cookieSecretProblem(secret), undefined)
  })

  it('uses a secret with + or / raw, because it is not base64url', () => {
    const secret = 'abcdefghijklmnopqrstuvwxyz0123+/'
    assert.deepEqual(cookieSecretKeys(secret).aesKey, Buffer.from(secret))
    const openssl = 'q0Ov4WJPyQ+Ey5Wcwz7e1wGSt1fqw7vKPh3WMbq/hTs='
    assert.equal(cookieSecretKeys(openssl).aesKey.length, 44)
    assert.match(cookieSecretProblem(openssl) ?? '', /44-byte/)
  })

  it('uses 16, 24 and 32-byte raw strings as they are when they do not decode to a valid length', () => {
    for (const secret of ['0123456789abcdef', '0123456789abcdef01234567']) {
      // 16 chars decode to 12 bytes, 24 chars to 18: not AES lengths, so the raw bytes are the key.
      assert.deepEqual(cookieSecretKeys(secret).aesKey, Buffer.from(secret))
      assert.equal(cookieSecretProblem(secret), undefined)
    }
  })

  it('ignores CR and LF inside base64 but not other characters', () => {
    const body = Buffer.alloc(32, 7).toString('base64url')
    const withNewline = `${body}\n`
    assert.deepEqual(cookieSecretKeys(withNewline).aesKey, Buffer.alloc(32, 7))
    assert.deepEqual(cookieSecretKeys(withNewline).hmacKey, Buffer.from(withNewline))
    assert.deepEqual(cookieSecretKeys(`${body.slice(0, 10)}\r\n${body.slice(10)}`).aesKey, Buffer.alloc(32, 7))
    assert.deepEqual(cookieSecretKeys(`${body} `).aesKey, Buffer.from(`${body} `))
  })

  it('does not decode when = sits anywhere but at the end', () => {
    const body = Buffer.alloc(16, 1).toString('base64url')
    assert.deepEqual(cookieSecretKeys(`${body}==`).aesKey, Buffer.alloc(16, 1))
    const inner = `${body.slice(0, 4)}=${body.slice(4)}`
    assert.deepEqual(cookieSecretKeys(inner).aesKey, Buffer.from(inner))
  })

  it('rejects base64 text whose length is 1 mod 4', () => {
    const secret = `${Buffer.alloc(24, 3).toString('base64url')}A`
    assert.deepEqual(cookieSecretKeys(secret).aesKey, Buffer.from(secret))
  })
})

describe('cookieSecretProblem', () => {
  it('names the byte count and how to make a good secret', () => {
    const message = cookieSecretProblem('short')
    assert.ok(message !== undefined)
    assert.match(message, /5-byte/)
    assert.match(message, /16, 24 or 32/)
    assert.ok(message.includes("openssl rand -base64 32 | tr -- '+/' '-_'"))
  })

  it('accepts the output of the recommended command', () => {
    assert.equal(cookieSecretProblem(Buffer.alloc(32, 9).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')), undefined)
    assert.match(cookieSecretProblem('') ?? '', /0-byte/)
  })
})
