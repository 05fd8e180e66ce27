import { createCipheriv, createDecipheriv } from 'node:crypto'
import { ProxyError } from '../errors.js'
import { randomBytes } from './random.js'

const NONCE_LENGTH = 12
const TAG_LENGTH = 16

function gcmAlgorithm(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  switch (key.length) {
    case 16:
      return 'aes-128-gcm'
    case 24:
      return 'aes-192-gcm'
    case 32:
      return 'aes-256-gcm'
    default:
      throw new ProxyError('ERR_INTERNAL', 500, `AES key must be 16, 24 or 32 bytes, got ${key.length}`)
  }
}

/** Seals as Go's `gcm.Seal(nonce, nonce, plaintext, nil)`: 12-byte random nonce ‖ ciphertext ‖ 16-byte tag (oauth2-proxy's Redis values, §4.5). */
export function gcmSeal(key: Buffer, plaintext: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_LENGTH)
  const cipher = createCipheriv(gcmAlgorithm(key), key, nonce, { authTagLength: TAG_LENGTH })
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([nonce, body, cipher.getAuthTag()])
}

/** Opens {@link gcmSeal} output; undefined when it is too short or fails authentication. Throws only for a bad key length. */
export function gcmOpen(key: Buffer, data: Uint8Array): Buffer | undefined {
  const algorithm = gcmAlgorithm(key)
  if (data.length < NONCE_LENGTH + TAG_LENGTH) return undefined
  const decipher = createDecipheriv(algorithm, key, data.subarray(0, NONCE_LENGTH), { authTagLength: TAG_LENGTH })
  decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH))
  try {
    return Buffer.concat([decipher.update(data.subarray(NONCE_LENGTH, data.length - TAG_LENGTH)), decipher.final()])
  } catch {
    return undefined
  }
}
