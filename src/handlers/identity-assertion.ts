import type { Assertions } from '../assertion/assertions.js'
import type { RequestContext } from '../http/context.js'
import type { CompiledRoute } from '../policy/route-table.js'
import type { Session } from '../session/session.js'
import type { UpstreamTarget } from '../upstream/table.js'

/** The identity assertion as the handlers use it: on for every request (`--set-identity-assertion`) or per route. */
export interface IdentityAssertion {
  assertions: Assertions
  /** `--set-identity-assertion`: requests that no route's `identityAssertion` decides for get one. */
  global: boolean
  /** `--assertion-header`. */
  header: string
  /** `--assertion-issuer` or the origin of an absolute `--redirect-url`; undefined: the origin the request came to. */
  issuer: string | undefined
  /** `--assertion-audience`; undefined: the upstream's origin. A route's own `audience` comes first. */
  audience: string | undefined
}

/** The route a request was matched to, as far as the assertion cares. */
type AssertionRoute = Pick<CompiledRoute, 'assertion'> | undefined

function issuerOf(ctx: RequestContext, ia: IdentityAssertion): string {
  return ia.issuer ?? `${ctx.origin.proto}://${ctx.origin.host}`
}

/** Whether this request gets an assertion, and the audience configured for it (undefined: the default one). */
function planFor(ia: IdentityAssertion, route: AssertionRoute): { audience: string | undefined } | undefined {
  const own = route?.assertion
  if (own === undefined) return ia.global ? { audience: ia.audience } : undefined
  if (own === false) return undefined
  return { audience: own.audience ?? ia.audience }
}

/** Who an assertion for this upstream is meant for: its origin (a unix socket is named by its path). */
export function upstreamAudience(target: UpstreamTarget): string | undefined {
  if (target.kind === 'http') return target.origin
  if (target.kind === 'unix') return `unix:${target.socketPath}`
  return undefined // files and fixed statuses are answered by gatehouse itself
}

/** The upstream request headers of a session, with the assertion for `target` when assertions are on for `route`. */
export function withUpstreamAssertion(
  ctx: RequestContext,
  ia: IdentityAssertion | undefined,
  base: Readonly<Record<string, string>>,
  session: Session | undefined,
  target: UpstreamTarget,
  route: AssertionRoute,
): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
  if (ia === undefined || session === undefined) return base
  const plan = planFor(ia, route)
  const origin = upstreamAudience(target)
  if (plan === undefined || origin === undefined) return base
  return ia.assertions.withAssertion(base, ia.header, session, plan.audience ?? origin, issuerOf(ctx, ia))
}

/** The `/oauth2/auth` 202 headers with the assertion for the original request's origin (the app behind the reverse proxy). */
export function withAuthAssertion(
  ctx: RequestContext,
  ia: IdentityAssertion | undefined,
  base: Readonly<Record<string, string>>,
  session: Session | undefined,
  route: AssertionRoute,
): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
  if (ia === undefined || session === undefined) return base
  const plan = planFor(ia, route)
  if (plan === undefined) return base
  return ia.assertions.withAssertion(base, ia.header, session, plan.audience ?? `${ctx.origin.proto}://${ctx.origin.host}`, issuerOf(ctx, ia))
}
