/**
 * Hop-by-hop header handling for a proxy hop (RFC 9110 §7.6.1), plus the two proxy-credential
 * headers Go's httputil.ReverseProxy (and so oauth2-proxy) also drops.
 */

/** Header names (lower case) that never cross the proxy in either direction. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

const NONE: ReadonlySet<string> = new Set()
/** The two values nearly every Connection header has, answered without a new Set per request. */
const KEEP_ALIVE: ReadonlySet<string> = new Set(['keep-alive'])
const CLOSE: ReadonlySet<string> = new Set(['close'])

/** The lower-case tokens of every Connection header value (`Connection: close, X-Foo` → `close`, `x-foo`). */
export function connectionTokens(values: string | readonly string[] | undefined): ReadonlySet<string> {
  if (values === undefined) return NONE
  // Hot path: `keep-alive` or `close` alone.
  if (typeof values === 'string' && !values.includes(',')) {
    if (values === 'keep-alive') return KEEP_ALIVE
    if (values === 'close') return CLOSE
    return new Set([values.trim().toLowerCase()])
  }
  const tokens = new Set<string>()
  const list = typeof values === 'string' ? [values] : values
  for (const value of list) {
    for (const part of value.split(',')) {
      const token = part.trim().toLowerCase()
      if (token !== '') tokens.add(token)
    }
  }
  return tokens
}

/** The Connection header values found in a flat raw header list (`[name, value, name, value, ...]`). */
export function rawConnectionValues(raw: readonly string[]): string[] {
  const values: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'connection') values.push(raw[i + 1] as string)
  }
  return values
}

/** True when the header must be dropped at this hop: a fixed hop-by-hop name or one the Connection header lists. */
export function isHopByHop(lowerName: string, listed: ReadonlySet<string>): boolean {
  return HOP_BY_HOP.has(lowerName) || listed.has(lowerName)
}

/** True when a comma-separated header value contains the token (case-insensitive), e.g. `TE: trailers, deflate`. */
export function hasToken(value: string | readonly string[] | undefined, token: string): boolean {
  return connectionTokens(value).has(token.toLowerCase())
}

/** Drops hop-by-hop headers from a flat raw header list and returns the rest in order, duplicates kept. */
export function stripHopByHop(raw: readonly string[]): string[] {
  const listed = connectionTokens(rawConnectionValues(raw))
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (isHopByHop(name.toLowerCase(), listed)) continue
    out.push(name, raw[i + 1] as string)
  }
  return out
}
