import type { KeyRing } from '../assertion/key-ring.js'
import { send, sendEmpty } from '../http/reply.js'
import type { Handler } from '../http/server.js'

/**
 * `/.well-known/jwks.json` and `<prefix>/jwks.json`: the public keys of the identity assertions, without a session.
 * Verifiers may cache the set for less than the publish-ahead time, so a new key is seen before it signs.
 */
export function createJwksHandler(ring: KeyRing, publishAheadMs: number): Handler {
  const maxAge = Math.max(0, Math.min(300, Math.floor(publishAheadMs / 2000)))
  const cacheControl = `public, max-age=${maxAge}`
  return (ctx) => {
    const method = ctx.req.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') return sendEmpty(ctx.res, 405, { Allow: 'GET, HEAD' })
    const doc = ring.jwks()
    const headers = { 'Cache-Control': cacheControl, ETag: doc.etag }
    if (ctx.req.headers['if-none-match'] === doc.etag) return sendEmpty(ctx.res, 304, headers)
    // Node leaves the body out of a HEAD answer and keeps its Content-Length.
    send(ctx.res, 200, 'application/jwk-set+json', doc.body, headers)
  }
}
