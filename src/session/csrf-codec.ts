import { createHash } from 'node:crypto'
import { Encoder } from '@msgpack/msgpack'
import { cfbDecrypt, cfbEncrypt } from '../crypto/aes-cfb.js'
import { decodeFirst, isMap, readBytes, readText } from './codec/msgpack-read.js'

/** What oauth2-proxy's CSRF cookie carries between /oauth2/start and /oauth2/callback (reference §4.6). */
export interface CsrfPayload {
  stateNonce: Buffer
  oidcNonce: Buffer
  codeVerifier?: string
  /** gatehouse only: the provider the login went to (key `p`), written only when several providers are configured. */
  providerId?: string
}

const encoder = new Encoder()

/** The CSRF cookie payload: random IV ‖ AES-CFB(MessagePack({s: bin, n: bin, cv?: str})), no LZ4, as oauth2-proxy's csrf struct (plus gatehouse's `p?: str`). */
export function sealCsrf(c: CsrfPayload, aesKey: Buffer): Buffer {
  const m: Record<string, unknown> = {}
  if (c.stateNonce.length > 0) m.s = c.stateNonce
  if (c.oidcNonce.length > 0) m.n = c.oidcNonce
  if (c.codeVerifier) m.cv = c.codeVerifier
  if (c.providerId) m.p = c.providerId
  return cfbEncrypt(aesKey, encoder.encode(m))
}

/** Opens {@link sealCsrf} output; undefined when it does not decrypt to a map with both nonces. Never throws. */
export function openCsrf(payload: Buffer, aesKey: Buffer): CsrfPayload | undefined {
  try {
    const plain = cfbDecrypt(aesKey, payload)
    if (plain === undefined) return undefined
    const raw = decodeFirst(plain, true)
    if (!isMap(raw)) return undefined
    const stateNonce = readBytes(raw.s, 's')
    const oidcNonce = readBytes(raw.n, 'n')
    if (stateNonce === undefined || stateNonce.length === 0 || oidcNonce === undefined || oidcNonce.length === 0) return undefined
    const codeVerifier = readText(raw.cv, 'cv')
    const providerId = readText(raw.p, 'p')
    return {
      stateNonce: Buffer.from(stateNonce),
      oidcNonce: Buffer.from(oidcNonce),
      ...(codeVerifier === undefined ? {} : { codeVerifier }),
      ...(providerId === undefined ? {} : { providerId }),
    }
  } catch {
    return undefined
  }
}

/** What goes to the IdP for a nonce: base64url without padding of its SHA-256 (oauth2-proxy's `HashNonce`). */
export function hashNonce(b: Buffer): string {
  return createHash('sha256').update(b).digest('base64url')
}
