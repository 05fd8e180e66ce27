import type { Duplex } from 'node:stream'
import { ProxyError } from '../errors.js'
import type { RequestContext } from '../http/context.js'
import type { UpgradeHandler } from '../http/server.js'
import { gate } from './gate.js'
import type { Services } from './services.js'

/** WebSocket upgrades pass the same gate as requests; refused ones get a status line and a closed socket. */
export function createUpgradeHandler(s: Services): UpgradeHandler {
  return async (ctx: RequestContext, socket: Duplex, head: Buffer) => {
    const result = await gate(ctx, s, { method: ctx.req.method ?? 'GET', uri: ctx.rawUrl })
    if (result.kind === 'needs-login') throw new ProxyError('ERR_UNAUTHORIZED', 401, 'websocket without a session')
    if (result.kind === 'denied') throw new ProxyError('ERR_FORBIDDEN', 403, 'websocket refused by policy')
    const match = s.upstreams.match(ctx.pathname, ctx.rawUrl)
    if (match === undefined || 'redirectTo' in match) throw new ProxyError('ERR_NOT_FOUND', 404, 'no upstream')
    ctx.upstream = match.target.id
    if (match.uri !== undefined) ctx.req.url = match.uri
    await s.forwarder.upgrade(ctx.req, socket, head, match.target, {
      setHeaders: s.headers.upstreamHeaders(result.session),
      removeHeaders: s.headers.headersToStrip(ctx.req.headers),
    })
  }
}
