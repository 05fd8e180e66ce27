import { cleanPath, encodePath } from '../upstream/path.js'

/**
 * One request as routes and policies see it, and as the upstream will receive it: the method upper-cased, the host
 * lower-cased without port or trailing dot, the path percent-decoded with dot segments and repeated slashes resolved.
 */
export interface CanonicalRequest {
  readonly method: string
  readonly host: string
  /** Decoded, clean, absolute path: what matching uses. */
  readonly path: string
  /** The raw query (without `?`), passed on untouched; never part of matching. */
  readonly query: string
  readonly clientIp: string
}

/** Why a request was refused before any route was looked at: each is a form a bypass would hide behind. */
export type CanonicalRefusal =
  | 'not-origin-form'
  | 'malformed-escape'
  | 'encoded-separator'
  | 'backslash'
  | 'control-character'
  | 'semicolon'
  | 'bad-host'
  | 'bad-method'

export type CanonicalResult = { ok: true; request: CanonicalRequest } | { ok: false; refusal: CanonicalRefusal }

const METHOD = /^[A-Z][A-Z0-9_-]*$/
const HOST_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/
const HOST_V6 = /^\[[0-9a-f:.]+\]$/
const HEX = /^[0-9A-Fa-f]{2}$/

/** Reads a path's percent-escapes; refuses malformed ones, encoded `/` and `\` and encoded controls (peers §5.1). */
function decodeStrict(raw: string): string | CanonicalRefusal {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c === 0x5c) return 'backslash'
    if (c <= 0x20 || c === 0x7f) return 'control-character'
    if (c === 0x3b) return 'semicolon'
    if (c !== 0x25) continue
    const hex = raw.slice(i + 1, i + 3)
    if (!HEX.test(hex)) return 'malformed-escape'
    const byte = Number.parseInt(hex, 16)
    if (byte === 0x2f) return 'encoded-separator'
    if (byte === 0x5c) return 'backslash'
    if (byte === 0x3b) return 'semicolon'
    if (byte < 0x20 || byte === 0x7f) return 'control-character'
    i += 2
  }
  if (!raw.includes('%')) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    // Escapes that are not UTF-8.
    return 'malformed-escape'
  }
}

/** The host a route matches: lower case, no port, no trailing dot; undefined when it is not a host name or an IP. */
export function canonicalHost(raw: string): string | undefined {
  let host = raw.trim().toLowerCase()
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    if (end === -1) return undefined
    const rest = host.slice(end + 1)
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined
    host = host.slice(0, end + 1)
    return HOST_V6.test(host) ? host : undefined
  }
  const colon = host.indexOf(':')
  if (colon !== -1) {
    if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return undefined
    host = host.slice(0, colon)
  }
  // `example.com.` is the same name as `example.com` (one trailing dot, never two).
  if (host.endsWith('.')) host = host.slice(0, -1)
  if (host === '') return ''
  return HOST_NAME.test(host) ? host : undefined
}

/** Canonical decoded path of a request target (path and query, fragment allowed), or why it is refused. */
export function canonicalPath(uri: string): { path: string; query: string } | CanonicalRefusal {
  const hash = uri.indexOf('#')
  const target = hash === -1 ? uri : uri.slice(0, hash)
  const q = target.indexOf('?')
  const rawPath = q === -1 ? target : target.slice(0, q)
  const query = q === -1 ? '' : target.slice(q + 1)
  if (!rawPath.startsWith('/')) return 'not-origin-form'
  const decoded = decodeStrict(rawPath)
  if (decoded === 'backslash' || decoded === 'control-character' || decoded === 'semicolon' || decoded === 'malformed-escape' || decoded === 'encoded-separator') return decoded
  // A decoded character may itself be one a bypass uses (`%25` then `2f` is fine: it stays a literal `%2f` text).
  return { path: cleanPath(decoded), query }
}

/** Builds the canonical request, or names the ambiguous form that makes it refused. */
export function canonicalize(input: { method: string; host: string; uri: string; clientIp: string }): CanonicalResult {
  const method = input.method.toUpperCase()
  if (!METHOD.test(method)) return { ok: false, refusal: 'bad-method' }
  const host = canonicalHost(input.host)
  if (host === undefined) return { ok: false, refusal: 'bad-host' }
  const path = canonicalPath(input.uri)
  if (typeof path === 'string') return { ok: false, refusal: path }
  return { ok: true, request: { method, host, path: path.path, query: path.query, clientIp: input.clientIp } }
}

/** The request target sent upstream: the canonical path, encoded, and the query as received. */
export function upstreamTarget(request: CanonicalRequest): string {
  const path = encodePath(request.path)
  return request.query === '' ? path : `${path}?${request.query}`
}
