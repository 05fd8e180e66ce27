import { appendSetCookies, sendJson, sendText } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import { sessionGate } from './gate.js'
import type { Services } from './services.js'

/** `<prefix>/userinfo`: the signed-in identity as JSON, 401 without one (reference §3.9). */
export function createUserInfoHandler(s: Services): Handler {
  return async (ctx) => {
    const result = await sessionGate(ctx, s, { method: ctx.req.method ?? 'GET', uri: ctx.rawUrl })
    appendSetCookies(ctx.res, result.setCookies)
    if (result.kind === 'needs-login' || result.kind === 'denied') return sendText(ctx.res, 401, 'Unauthorized\n')
    const session = result.session
    if (session === undefined) return sendJson(ctx.res, 200, {})
    sendJson(ctx.res, 200, {
      user: session.user ?? '',
      email: session.email ?? '',
      ...(session.groups && session.groups.length > 0 ? { groups: session.groups } : {}),
      ...(session.preferredUsername ? { preferredUsername: session.preferredUsername } : {}),
      ...(session.additionalClaims && Object.keys(session.additionalClaims).length > 0 ? { additionalClaims: session.additionalClaims } : {}),
    })
  }
}
