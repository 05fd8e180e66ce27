/** Request-path helpers shared by the upstream table and the file server (Go `net/url` and gorilla/mux semantics). */

/** Percent-decodes a request path; undefined when an escape is malformed (Go answers such a request 400). */
export function decodePath(encoded: string): string | undefined {
  if (!encoded.includes('%')) return encoded
  try {
    return decodeURIComponent(encoded)
  } catch {
    return undefined
  }
}

/**
 * Canonical form of an absolute path as gorilla/mux computes it: `.` and `..` segments resolved,
 * repeated slashes merged, the trailing slash kept, never above `/`.
 */
export function cleanPath(p: string): string {
  if (p === '') return '/'
  const rooted = p.startsWith('/') ? p : `/${p}`
  const out: string[] = []
  for (const segment of rooted.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  const cleaned = `/${out.join('/')}`
  return rooted.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned
}

const KEEP = /[A-Za-z0-9\-_.~$&+,/:;=@]/

/** Percent-encodes a decoded path the way Go's `url.URL.EscapedPath` does (UTF-8 bytes, upper-case hex). */
export function encodePath(decoded: string): string {
  let out = ''
  for (const ch of decoded) {
    if (ch.length === 1 && KEEP.test(ch)) {
      out += ch
      continue
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
