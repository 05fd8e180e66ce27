import type * as oidc from 'openid-client'

/** Bytes Go's `url.QueryEscape` leaves as they are: ASCII letters, digits and `-`, `_`, `.`, `~`. */
const UNRESERVED = /^[A-Za-z0-9\-_.~]$/

/**
 * Go's `url.QueryEscape`: each UTF-8 byte outside the unreserved set becomes `%XX` (upper-case hex), a space becomes
 * `+`. Unlike `encodeURIComponent`, it escapes `!'()*`; unlike openid-client's encoding, it keeps `-_.~`.
 */
export function goQueryEscape(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte)
    if (byte < 0x80 && UNRESERVED.test(char)) out += char
    else if (byte === 0x20) out += '+'
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * The `Authorization` value golang.org/x/oauth2 sends for `AuthStyleInHeader`, which oauth2-proxy's token and refresh
 * calls try first: `SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))`, so `Basic base64(id:secret)` with
 * both parts query-escaped (RFC 6749 §2.3.1 asks for form encoding; servers that do not decode it, such as Glewlwyd,
 * still accept the common ids and secrets made of `-_.~` and alphanumerics this way).
 */
export function goBasicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${goQueryEscape(clientId)}:${goQueryEscape(clientSecret)}`, 'utf8').toString('base64')}`
}

/**
 * openid-client client authentication that sends credentials as oauth2-proxy does in its header style: only the
 * `Authorization` header (no `client_id` in the form), encoded by `goBasicAuthorization`.
 */
export function goClientSecretBasic(clientSecret: string): oidc.ClientAuth {
  return (_server, client, _body, headers) => {
    headers.set('authorization', goBasicAuthorization(client.client_id, clientSecret))
  }
}
