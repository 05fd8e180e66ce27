import { createCipheriv, createDecipheriv } from 'node:crypto'
import { ProxyError } from '../errors.js'
import { randomBytes } from './random.js'

const IV_LENGTH = 16

/** Go's `cipher.NewCFBEncrypter` is full-block CFB-128; the key length picks AES-128, -192 or -256. */
export function cfbAlgorithm(key: Buffer): 'aes-128-cfb' | 'aes-192-cfb' | 'aes-256-cfb' {
  switch (key.length) {
    case 16:
      return 'aes-128-cfb'
    case 24:
      return 'aes-192-cfb'
    case 32:
      return 'aes-256-cfb'
    default:
      throw new ProxyError('ERR_INTERNAL', 500, `AES key must be 16, 24 or 32 bytes, got ${key.length}`)
  }
}

/** Encrypts as oauth2-proxy's CFB cipher does: a random 16-byte IV, then the CFB ciphertext. Not authenticated: sign it. */
export function cfbEncrypt(key: Buffer, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(IV_LENGTH)
  const cipher = createCipheriv(cfbAlgorithm(key), key, iv)
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final()])
}

/** Reverses {@link cfbEncrypt}; undefined when the data is shorter than the IV. Throws only for a bad key length. */
export function cfbDecrypt(key: Buffer, data: Uint8Array): Buffer | undefined {
  if (data.length < IV_LENGTH) return undefined
  const decipher = createDecipheriv(cfbAlgorithm(key), key, data.subarray(0, IV_LENGTH))
  return Buffer.concat([decipher.update(data.subarray(IV_LENGTH)), decipher.final()])
}
