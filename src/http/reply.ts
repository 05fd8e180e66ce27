import type { ServerResponse } from 'node:http'

/** oauth2-proxy's no-cache headers, sent on every endpoint under the proxy prefix except /auth. */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = {
  Expires: 'Thu, 01 Jan 1970 00:00:00 UTC',
  'Cache-Control': 'no-cache, no-store, must-revalidate, max-age=0',
  'X-Accel-Expires': '0',
}

/** Appends Set-Cookie values to whatever the response already carries. */
export function appendSetCookies(res: ServerResponse, cookies: readonly string[]): void {
  if (cookies.length === 0) return
  const existing = res.getHeader('set-cookie')
  const prior = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)]
  res.setHeader('set-cookie', [...prior, ...cookies])
}

/** Ends the response with a body of the given type; no-op once headers are out. */
export function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const buf = typeof body === 'string' ? Buffer.from(body) : body
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': String(buf.length) })
  res.end(buf)
}

/** A plain-text answer, e.g. oauth2-proxy's `Unauthorized\n`. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(res, status, 'text/plain; charset=utf-8', text, headers)
}

/** A JSON answer. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json', JSON.stringify(value), headers)
}

/** An HTML page. */
export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  send(res, status, 'text/html; charset=utf-8', html, headers)
}

/**
 * Go's `hexEscapeNonASCII`, which net/http's Redirect applies to every Location: each byte of a non-ASCII character
 * becomes `%xx` (lower-case hex, as Go writes it). Node would otherwise write the string as latin1 (so `é` arrives as a
 * lone 0xE9 byte) or throw on characters past U+00FF (a validated `rd=/✓` would end the request with a 500).
 */
export function hexEscapeNonAscii(location: string): string {
  return location.replace(/[^\u0000-\u007f]+/gu, (run) => Array.from(Buffer.from(run, 'utf8'), (b) => `%${b.toString(16)}`).join(''))
}

/** A redirect with an empty body (302 unless told); the Location is kept ASCII as Go's http.Redirect keeps it. */
export function redirect(res: ServerResponse, location: string, status = 302, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  res.writeHead(status, { ...headers, Location: hexEscapeNonAscii(location), 'Content-Length': '0' })
  res.end()
}

/** An empty answer with a status, e.g. 202 from /oauth2/auth. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  res.writeHead(status, { ...headers, 'Content-Length': '0' })
  res.end()
}

/** True when the client asked for JSON: the exact `application/json` token in Accept, as oauth2-proxy checks. */
export function wantsJson(accept: string | undefined): boolean {
  if (accept === undefined) return false
  return accept.split(',').some((part) => part.split(';')[0]?.trim().toLowerCase() === 'application/json')
}
