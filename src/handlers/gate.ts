import type { AllowedReason } from '../auth/authorize.js'
import { requestPath } from '../auth/routes.js'
import type { RequestContext } from '../http/context.js'
import type { Session } from '../session/session.js'
import type { Services } from './services.js'

/** What the proxy decided about a request before serving it. */
export type GateResult =
  | { kind: 'allowed'; reason: AllowedReason; session: Session | undefined; setCookies: string[] }
  | { kind: 'ok'; session: Session; setCookies: string[] }
  | { kind: 'needs-login'; setCookies: string[] }
  | { kind: 'denied'; rule: string; session: Session; setCookies: string[] }

/**
 * oauth2-proxy's getAuthenticatedSession (reference §3.2). `method` and `uri` are the request that will be served:
 * the proxied request itself, or, for /oauth2/auth only, the original request a trusted reverse proxy describes.
 */
export async function gate(ctx: RequestContext, s: Services, target: { method: string; uri: string }): Promise<GateResult> {
  const path = requestPath(target.uri)
  // Every method the upstream may act on must be allowed: frameworks honour X-HTTP-Method-Override and its kin.
  const reasons = methodReadings(target.method, ctx.req.headers).map((method) => s.authorizer.allowedWithoutSession({ method, path, clientIp: ctx.origin.clientIp }))
  const reason = reasons.every((r) => r !== undefined) ? reasons[0] : undefined
  // The request logger is only needed when a refresh logs: read it then, not for every request.
  const auth = await s.authenticator.authenticate(ctx.cookies, ctx.origin.host, { get log() { return ctx.log }, client: ctx.origin.clientIp }, ctx.req.headers.authorization)
  const session = auth.kind === 'authenticated' ? auth.session : undefined
  if (session !== undefined) ctx.user = session.email ?? session.user
  if (reason !== undefined) {
    s.metrics.authDecision('allowed', reason)
    return { kind: 'allowed', reason, session, setCookies: auth.setCookies }
  }
  if (session === undefined) {
    s.metrics.authDecision('needs_login', auth.kind === 'anonymous' ? auth.reason : 'no_cookie')
    return { kind: 'needs-login', setCookies: auth.setCookies }
  }
  const decision = s.authorizer.authorizeSession(session)
  if (!decision.ok) {
    s.metrics.authDecision('denied', decision.rule)
    ctx.log.info({ event: 'auth.denied', user: session.user, email: session.email, rule: decision.rule, client: ctx.origin.clientIp }, 'session refused by policy')
    return { kind: 'denied', rule: decision.rule, session, setCookies: await s.store.clear(ctx.cookies, ctx.origin.host) }
  }
  s.metrics.authDecision('ok', 'session')
  return { kind: 'ok', session, setCookies: auth.setCookies }
}

/** Headers through which upstream frameworks let a client replace the request method. */
const METHOD_OVERRIDES = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const

/** The request method upper-cased, then every distinct method an override header names. */
export function methodReadings(method: string, headers: NodeJS.Dict<string | string[]>): string[] {
  const upper = method.toUpperCase()
  // The common case: no override header at all.
  if (headers[METHOD_OVERRIDES[0]] === undefined && headers[METHOD_OVERRIDES[1]] === undefined && headers[METHOD_OVERRIDES[2]] === undefined) return [upper]
  const out = new Set([upper])
  for (const name of METHOD_OVERRIDES) {
    const value = headers[name]
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      for (const m of v.split(',')) if (m.trim() !== '') out.add(m.trim().toUpperCase())
    }
  }
  return [...out]
}
