import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import { createCipheriv, createDecipheriv } from 'node:crypto'
import { cfbDecrypt, cfbEncrypt } from './aes-cfb.js'
import { gcmOpen, gcmSeal } from './aes-gcm.js'

const plaintext = Buffer.from('The quick brown fox jumps over the lazy dog, twice over for length.')

describe('AES-CFB', () => {
  for (const [bytes, algorithm] of [[16, 'aes-128-cfb'], [24, 'aes-192-cfb'], [32, 'aes-256-cfb']] as const) {
    it(`picks ${algorithm} for a ${bytes}-byte key and prefixes a random IV`, () => {
      const key = Buffer.alloc(bytes, 0x42)
      const sealed = cfbEncrypt(key, plaintext)
      assert.equal(sealed.length, 16 + plaintext.length)
      const decipher = createDecipheriv(algorithm, key, sealed.subarray(0, 16))
      assert.deepEqual(Buffer.concat([decipher.update(sealed.subarray(16)), decipher.final()]), plaintext)
      assert.deepEqual(cfbDecrypt(key, sealed), plaintext)
      assert.notDeepEqual(cfbEncrypt(key, plaintext).subarray(0, 16), sealed.subarray(0, 16))
    })
  }

  it('matches a full-block CFB-128 computed independently', () => {
    const key = Buffer.alloc(32, 1)
    const iv = Buffer.alloc(16, 2)
    // CFB-128 by hand: each keystream block is AES-ECB of the previous ciphertext block.
    const ecb = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false)
    const out = Buffer.alloc(plaintext.length)
    let feedback = iv
    for (let i = 0; i < plaintext.length; i += 16) {
      const stream = ecb.update(feedback)
      const chunk = plaintext.subarray(i, i + 16)
      for (let j = 0; j < chunk.length; j++) out[i + j] = chunk[j]! ^ stream[j]!
      feedback = out.subarray(i, i + 16)
    }
    assert.deepEqual(cfbDecrypt(key, Buffer.concat([iv, out])), plaintext)
  })

  it('returns undefined for data shorter than the IV and throws for a bad key length', () => {
    assert.equal(cfbDecrypt(Buffer.alloc(16), Buffer.alloc(15)), undefined)
    assert.deepEqual(cfbDecrypt(Buffer.alloc(16), Buffer.alloc(16)), Buffer.alloc(0))
    assert.throws(() => cfbEncrypt(Buffer.alloc(20), plaintext), { code: 'ERR_INTERNAL' })
  })
})

describe('AES-GCM', () => {
  it('writes nonce(12) ‖ ciphertext ‖ tag(16) and opens it', () => {
    const key = Buffer.alloc(16, 5)
    const sealed = gcmSeal(key, plaintext)
    assert.equal(sealed.length, 12 + plaintext.length + 16)
    const decipher = createDecipheriv('aes-128-gcm', key, sealed.subarray(0, 12))
    decipher.setAuthTag(sealed.subarray(sealed.length - 16))
    assert.deepEqual(Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]), plaintext)
    assert.deepEqual(gcmOpen(key, sealed), plaintext)
  })

  it('rejects tampering, a wrong key and short input', () => {
    const key = Buffer.alloc(32, 5)
    const sealed = gcmSeal(key, plaintext)
    for (const i of [0, 11, 12, sealed.length - 17, sealed.length - 1]) {
      const bad = Buffer.from(sealed)
      bad[i]! ^= 1
      assert.equal(gcmOpen(key, bad), undefined, `byte ${i}`)
    }
    assert.equal(gcmOpen(Buffer.alloc(32, 6), sealed), undefined)
    assert.equal(gcmOpen(key, sealed.subarray(0, 27)), undefined)
  })
})
