import type { IncomingMessage, ServerResponse } from 'node:http'

/** Extra response headers from the caller (identity headers, a refreshed session cookie, ...). */
export type ResponseHeaders = Readonly<Record<string, string | string[]>>

/** Appends each header to the response (Go's `Header.Add`): existing values, Set-Cookie included, are kept. */
export function appendHeaders(res: ServerResponse, headers: ResponseHeaders): void {
  for (const [name, value] of Object.entries(headers)) res.appendHeader(name, value)
}

/** Writes a short plain-text answer as Go's `http.Error` does (`nosniff`, body plus newline). */
export function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: ResponseHeaders): void {
  const body = `${text}\n`
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Content-Length', Buffer.byteLength(body))
  appendHeaders(res, headers)
  res.writeHead(status)
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** Answers a `static://CODE` upstream: the code and the body `Authenticated`, as oauth2-proxy. */
export function sendStatic(req: IncomingMessage, res: ServerResponse, status: number, headers: ResponseHeaders): void {
  const body = 'Authenticated'
  // 204 and 304 carry no body (Go drops the write with ErrBodyNotAllowed).
  const bodyless = status === 204 || status === 304 || status < 200
  if (!bodyless) {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8')
    res.setHeader('Content-Length', body.length)
  }
  appendHeaders(res, headers)
  res.writeHead(status)
  res.end(req.method === 'HEAD' || bodyless ? undefined : body)
}
