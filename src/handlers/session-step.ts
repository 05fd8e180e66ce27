// The session half of every gate (oauth2-proxy's getAuthenticatedSession after its pre-auth checks), shared by the
// gate without routes (gate.ts) and the routed one (route-gate.ts).
import type { AuthResult, RequestLog } from '../auth/authenticate.js'
import type { AllowedReason } from '../auth/authorize.js'
import { andThen, type Awaitable } from '../lib/awaitable.js'
import type { Logger } from '../log/logger.js'
import type { RequestContext } from '../http/context.js'
import type { Session } from '../session/session.js'
import type { Routed } from './routed.js'
import type { Services } from './services.js'

/** What the proxy decided about a request before serving it. */
export type GateResult =
  | { kind: 'allowed'; reason: AllowedReason; session: Session | undefined; setCookies: string[]; routed?: Routed }
  | { kind: 'ok'; session: Session; setCookies: string[]; routed?: Routed }
  /** `providers` set: signed in with a provider the route does not accept; sign in with one of these. */
  | { kind: 'needs-login'; setCookies: string[]; providers?: readonly string[] }
  /** `routeId` set: the route's policy refused (the session stays); unset: the global rules refused it. */
  | { kind: 'denied'; rule: string; routeId?: string; session: Session; setCookies: string[] }
  /** Routes only: an ambiguous request (400), no route (404), or method overrides leading elsewhere (403). */
  | { kind: 'refused'; status: 400 | 403 | 404; reason: string; setCookies: string[] }

/**
 * The request's logger and client address for the authenticator: the logger is only needed when a refresh logs, so it
 * is read then, not built for every request. (A class, not an object literal with a getter, which V8 builds slowly.)
 */
class RequestLogOf implements RequestLog {
  constructor(private readonly ctx: RequestContext) {}
  get log(): Logger {
    return this.ctx.log
  }

  get client(): string {
    return this.ctx.origin.clientIp
  }
}

/**
 * What every gate does once it knows whether the request may pass without a session: load the session, then the
 * global rules (email domains, emails file, `--allowed-group`). Ends with a result, or with the signed-in session.
 */
export function sessionStep(
  ctx: RequestContext,
  s: Services,
  reason: AllowedReason | undefined,
  routed?: Routed,
): Awaitable<Extract<GateResult, { kind: 'allowed' | 'needs-login' | 'denied' }> | SignedIn> {
  return andThen(s.authenticator.authenticate(ctx.cookies, ctx.origin.host, new RequestLogOf(ctx), ctx.req.headers.authorization), (auth) => afterAuthentication(ctx, s, reason, routed, auth))
}

/** A signed-in session that passed the global rules, with the cookies to set. */
export interface SignedIn {
  kind: 'signed-in'
  session: Session
  setCookies: string[]
}

function afterAuthentication(ctx: RequestContext, s: Services, reason: AllowedReason | undefined, routed: Routed | undefined, auth: AuthResult): Awaitable<Extract<GateResult, { kind: 'allowed' | 'needs-login' | 'denied' }> | SignedIn> {
  const session = auth.kind === 'authenticated' ? auth.session : undefined
  if (session !== undefined) ctx.user = session.email ?? session.user
  if (reason !== undefined) {
    s.metrics.authDecision('allowed', reason)
    return routed === undefined ? { kind: 'allowed', reason, session, setCookies: auth.setCookies } : { kind: 'allowed', reason, session, setCookies: auth.setCookies, routed }
  }
  if (session === undefined) {
    s.metrics.authDecision('needs_login', auth.kind === 'anonymous' ? auth.reason : 'no_cookie')
    return { kind: 'needs-login', setCookies: auth.setCookies, ...(routed?.route.providers === undefined ? {} : { providers: routed.route.providers }) }
  }
  // A route that names its providers treats a session from another one as no session here; the cookie stays.
  const accepted = routed?.route.providers
  if (accepted !== undefined && !accepted.includes(s.idps.idOf(session))) {
    s.metrics.authDecision('needs_login', 'other_provider')
    ctx.log.info({ event: 'auth.needs_login', user: session.user, email: session.email, reason: 'other_provider', provider: s.idps.idOf(session), routeId: routed?.route.id, client: ctx.origin.clientIp }, 'the route does not accept the session\'s provider')
    return { kind: 'needs-login', setCookies: auth.setCookies, providers: accepted }
  }
  const decision = s.authorizer.authorizeSession(session)
  if (!decision.ok) {
    s.metrics.authDecision('denied', decision.rule)
    ctx.log.info({ event: 'auth.denied', user: session.user, email: session.email, rule: decision.rule, ...(routed === undefined ? {} : { routeId: routed.route.id }), client: ctx.origin.clientIp }, 'session refused by policy')
    return s.store.clear(ctx.cookies, ctx.origin.host).then((setCookies) => ({ kind: 'denied', rule: decision.rule, session, setCookies }))
  }
  return { kind: 'signed-in', session, setCookies: auth.setCookies }
}
