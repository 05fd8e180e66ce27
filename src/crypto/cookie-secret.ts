/** AES key lengths Go's crypto/aes accepts: AES-128, AES-192 and AES-256. */
const AES_KEY_LENGTHS: readonly number[] = [16, 24, 32]

/** Base64url alphabet without padding, as Go's `base64.RawURLEncoding` reads it. */
const RAW_URL_ALPHABET = /^[A-Za-z0-9_-]*$/

/**
 * Decodes like Go's `base64.RawURLEncoding.DecodeString`: `\r` and `\n` are skipped, any other byte outside
 * the URL alphabet (including `+`, `/` and `=`) fails, and a length of 1 mod 4 is corrupt.
 * Node's own decoder skips bad characters silently, so the alphabet is checked here first.
 */
function decodeRawUrlBase64(text: string): Buffer | undefined {
  const stripped = text.replace(/[\r\n]/g, '')
  if (!RAW_URL_ALPHABET.test(stripped) || stripped.length % 4 === 1) return undefined
  return Buffer.from(stripped, 'base64url')
}

/**
 * The two keys oauth2-proxy derives from `--cookie-secret` (reference §4.1): HMAC-SHA256 signs with the secret's
 * bytes as configured; AES uses the base64url-decoded bytes when the secret (trailing `=` removed) decodes to
 * 16, 24 or 32 bytes, else the raw bytes.
 */
export function cookieSecretKeys(secret: string): { hmacKey: Buffer; aesKey: Buffer } {
  const raw = Buffer.from(secret, 'utf8')
  const decoded = decodeRawUrlBase64(secret.replace(/=+$/, ''))
  const aesKey = decoded !== undefined && AES_KEY_LENGTHS.includes(decoded.length) ? decoded : Buffer.from(raw)
  return { hmacKey: raw, aesKey }
}

/** A message for the user when the secret gives no valid AES key (not 16, 24 or 32 bytes); undefined when it is fine. */
export function cookieSecretProblem(secret: string): string | undefined {
  const { aesKey } = cookieSecretKeys(secret)
  if (AES_KEY_LENGTHS.includes(aesKey.length)) return undefined
  return (
    `the cookie secret gives a ${aesKey.length}-byte AES key, but it must be 16, 24 or 32 bytes ` +
    `(either that many raw characters, or base64url text that decodes to that many bytes); ` +
    `create one with: openssl rand -base64 32 | tr -- '+/' '-_'`
  )
}
