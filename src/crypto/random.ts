import { randomBytes as nodeRandomBytes } from 'node:crypto'

/** `n` bytes from the operating system's CSPRNG. */
export function randomBytes(n: number): Buffer {
  return nodeRandomBytes(n)
}

/** A random token of `bytes` bytes as unpadded base64url text (URL- and cookie-safe). */
export function randomToken(bytes = 32): string {
  return nodeRandomBytes(bytes).toString('base64url')
}

/** A random token of `bytes` bytes as lowercase hex (oauth2-proxy's ticket ids use 16 bytes). */
export function randomHex(bytes = 16): string {
  return nodeRandomBytes(bytes).toString('hex')
}
