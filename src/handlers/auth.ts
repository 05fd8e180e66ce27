import { checkQueryConstraints, parseQueryConstraints } from '../auth/query-constraints.js'
import { appendSetCookies, sendEmpty, sendText } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import type { RequestContext } from '../http/context.js'
import { andThen, type Awaitable } from '../lib/awaitable.js'
import { gate, type GateResult } from './gate.js'
import { withAuthAssertion } from './identity-assertion.js'
import type { Services } from './services.js'

/**
 * `<prefix>/auth`, for nginx `auth_request`, Caddy `forward_auth` and Traefik `forwardAuth` (reference §3.3).
 * Only 202, 401 or 403: nginx treats any other status as an error. 403 (not 401) for "signed in but not allowed
 * here", so nginx's `error_page 401` never sends an allowed-in user round a login loop. Never a redirect, never HTML.
 */
export function createAuthHandler(s: Services): Handler {
  // The original request as a trusted reverse proxy describes it (X-Forwarded-Method/-Uri); an untrusted peer's copies were ignored.
  return (ctx) => andThen(gate(ctx, s, { method: ctx.origin.method, uri: ctx.origin.uri }), (result) => answer(ctx, s, result))
}

/** The answer to the gate's decision: 202 with the identity headers, 401 or 403. */
function answer(ctx: RequestContext, s: Services, result: GateResult): Awaitable<void> {
  appendSetCookies(ctx.res, result.setCookies)
  switch (result.kind) {
    case 'needs-login':
      return sendText(ctx.res, 401, 'Unauthorized\n')
    case 'denied':
      // A route policy's refusal is "signed in, not allowed here": 403, so nginx never loops through sign-in.
      return result.routeId === undefined ? sendText(ctx.res, 401, 'Unauthorized\n') : sendText(ctx.res, 403, 'Forbidden\n')
    case 'refused':
      // nginx auth_request understands only 2xx, 401 and 403: no route and an ambiguous URI are both refusals.
      return sendText(ctx.res, 403, 'Forbidden\n')
    case 'allowed':
    case 'ok': {
      // An auth request without a query string carries no allowed_* constraint.
      if (result.session !== undefined && ctx.rawUrl.includes('?')) {
        const verdict = checkQueryConstraints(parseQueryConstraints(ctx.query), { email: result.session.email, groups: result.session.groups })
        if (!verdict.ok) {
          ctx.log.info({ event: 'auth.denied', user: result.session.user, email: result.session.email, rule: verdict.rule, client: ctx.origin.clientIp }, 'refused by query constraint')
          return sendText(ctx.res, 403, 'Forbidden\n')
        }
      }
      const { session, routed } = result
      return andThen(withAuthAssertion(ctx, s.identityAssertion, s.headers.responseHeaders(session), session, routed?.route), (headers) => sendEmpty(ctx.res, 202, headers))
    }
  }
}
