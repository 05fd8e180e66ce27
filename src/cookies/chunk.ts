import { ProxyError } from '../errors.js'

/** oauth2-proxy's limit for one whole Set-Cookie string (name, value and attributes): 4 KB with some leeway. */
export const MAX_COOKIE_LENGTH = 4000
/** Chunk names are cut so that `<name>_<n>` is at most this long. */
const MAX_NAME_LENGTH = 256

function setCookieLength(name: string, value: string, attributes: string): number {
  return Buffer.byteLength(`${name}=${value}${attributes === '' ? '' : `; ${attributes}`}`, 'utf8')
}

/** `<name>_<count>`, with the name shortened so the result is at most 256 characters (oauth2-proxy's `splitCookieName`). */
export function chunkName(name: string, count: number): string {
  const full = `${name}_${count}`
  const overflow = full.length - MAX_NAME_LENGTH
  return overflow > 0 ? `${name.slice(0, name.length - overflow)}_${count}` : full
}

/**
 * Splits a cookie as oauth2-proxy does (reference §4.4): when `name=value; attributes` is longer than 4000 bytes,
 * the value is cut into consecutive pieces named `<name>_0`, `<name>_1`, …, each whole Set-Cookie string at most
 * 4000 bytes. `attributes` is the text after `name=value; `. Values are ASCII (signed cookie values are).
 */
export function splitCookie(name: string, value: string, attributes: string): Array<{ name: string; value: string }> {
  if (setCookieLength(name, value, attributes) <= MAX_COOKIE_LENGTH) return [{ name, value }]
  const chunks: Array<{ name: string; value: string }> = []
  let rest = value
  for (let count = 0; rest.length > 0; count++) {
    const chunk = chunkName(name, count)
    const overflow = setCookieLength(chunk, rest, attributes) - MAX_COOKIE_LENGTH
    if (overflow <= 0) {
      chunks.push({ name: chunk, value: rest })
      break
    }
    const size = rest.length - overflow
    if (size <= 0) throw new ProxyError('ERR_INTERNAL', 500, `cookie ${name}: name and attributes leave no room for a value within ${MAX_COOKIE_LENGTH} bytes`)
    chunks.push({ name: chunk, value: rest.slice(0, size) })
    rest = rest.slice(size)
  }
  return chunks
}

function lookup(cookies: Map<string, string> | Record<string, string>, name: string): string | undefined {
  if (cookies instanceof Map) return cookies.get(name)
  return Object.hasOwn(cookies, name) ? cookies[name] : undefined
}

/**
 * Reassembles a cookie as oauth2-proxy's `loadCookie` does: the plain `<name>` if the request has it, else
 * `<name>_0`, `<name>_1`, … concatenated up to the first missing index; undefined when there is none.
 */
export function joinCookie(name: string, cookies: Map<string, string> | Record<string, string>): string | undefined {
  const whole = lookup(cookies, name)
  if (whole !== undefined) return whole
  const parts: string[] = []
  for (let count = 0; ; count++) {
    const part = lookup(cookies, chunkName(name, count))
    if (part === undefined) break
    parts.push(part)
  }
  return parts.length === 0 ? undefined : parts.join('')
}
