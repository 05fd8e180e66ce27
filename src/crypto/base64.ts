const URL_ALPHABET = /^[A-Za-z0-9_-]*$/

/** Go's `base64.URLEncoding`: the URL alphabet with `=` padding (oauth2-proxy's signed cookie parts). */
export function encodeBase64UrlPadded(data: Uint8Array): string {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64url')
  return text + '='.repeat((4 - (text.length % 4)) % 4)
}

/**
 * Decodes URL-alphabet base64 strictly (unlike Node, which skips bad characters): `\r` and `\n` are ignored as Go
 * does; padding must be exactly right when present, and may be missing unless `requirePadding` (Go's own reading).
 * Returns undefined for anything else.
 */
export function decodeBase64Url(text: string, requirePadding = false): Buffer | undefined {
  const stripped = text.replace(/[\r\n]/g, '')
  const body = stripped.replace(/=+$/, '')
  const padding = stripped.length - body.length
  if (!URL_ALPHABET.test(body) || body.length % 4 === 1) return undefined
  const expected = (4 - (body.length % 4)) % 4
  if (padding !== expected && (requirePadding || padding !== 0)) return undefined
  return Buffer.from(body, 'base64url')
}
