import type { Duplex } from 'node:stream'
import { ProxyError } from '../errors.js'
import type { RequestContext } from '../http/context.js'
import type { UpgradeHandler } from '../http/server.js'
import { gate } from './gate.js'
import { refusal, upstreamFor } from './proxy.js'
import { withUpstreamAssertion } from './identity-assertion.js'
import type { Services } from './services.js'

/** WebSocket upgrades pass the same gate as requests; refused ones get a status line and a closed socket. */
export function createUpgradeHandler(s: Services): UpgradeHandler {
  return async (ctx: RequestContext, socket: Duplex, head: Buffer) => {
    const result = await gate(ctx, s, { method: ctx.req.method ?? 'GET', uri: ctx.rawUrl })
    if (result.kind === 'needs-login') throw new ProxyError('ERR_UNAUTHORIZED', 401, 'websocket without a session')
    if (result.kind === 'denied') throw new ProxyError('ERR_FORBIDDEN', 403, 'websocket refused by policy')
    if (result.kind === 'refused') throw refusal(result.status, result.reason)
    const match = upstreamFor(ctx, s, result.routed)
    if (match === undefined || 'redirectTo' in match) throw new ProxyError('ERR_NOT_FOUND', 404, 'no upstream')
    ctx.upstream = match.target.id
    if (match.uri !== undefined) ctx.req.url = match.uri
    await s.forwarder.upgrade(ctx.req, socket, head, match.target, {
      setHeaders: await withUpstreamAssertion(ctx, s.identityAssertion, s.headers.upstreamHeaders(result.session), result.session, match.target, result.routed?.route),
      removeHeaders: s.headers.headersToStrip(ctx.req.headers),
    })
  }
}
