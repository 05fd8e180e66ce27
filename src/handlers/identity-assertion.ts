import type { Assertions } from '../assertion/assertions.js'
import type { RequestContext } from '../http/context.js'
import type { Session } from '../session/session.js'
import type { UpstreamTarget } from '../upstream/table.js'

/** `--set-identity-assertion` as the handlers use it. */
export interface IdentityAssertion {
  assertions: Assertions
  /** `--assertion-header`. */
  header: string
  /** `--assertion-issuer` or the origin of an absolute `--redirect-url`; undefined: the origin the request came to. */
  issuer: string | undefined
  /** `--assertion-audience`; undefined: the upstream's origin. Routes will pass their own audience here. */
  audience: string | undefined
}

function issuerOf(ctx: RequestContext, ia: IdentityAssertion): string {
  return ia.issuer ?? `${ctx.origin.proto}://${ctx.origin.host}`
}

/** Who an assertion for this upstream is meant for: its origin (a unix socket is named by its path). */
export function upstreamAudience(target: UpstreamTarget): string | undefined {
  if (target.kind === 'http') return target.origin
  if (target.kind === 'unix') return `unix:${target.socketPath}`
  return undefined // files and fixed statuses are answered by gatehouse itself
}

/** The upstream request headers of a session, with the assertion for `target` when assertions are on. */
export function withUpstreamAssertion(
  ctx: RequestContext,
  ia: IdentityAssertion | undefined,
  base: Readonly<Record<string, string>>,
  session: Session | undefined,
  target: UpstreamTarget,
): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
  if (ia === undefined || session === undefined) return base
  const audience = ia.audience ?? upstreamAudience(target)
  if (audience === undefined) return base
  return ia.assertions.withAssertion(base, ia.header, session, audience, issuerOf(ctx, ia))
}

/** The `/oauth2/auth` 202 headers with the assertion for the original request's origin (the app behind the reverse proxy). */
export function withAuthAssertion(
  ctx: RequestContext,
  ia: IdentityAssertion | undefined,
  base: Readonly<Record<string, string>>,
  session: Session | undefined,
): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
  if (ia === undefined || session === undefined) return base
  const audience = ia.audience ?? `${ctx.origin.proto}://${ctx.origin.host}`
  return ia.assertions.withAssertion(base, ia.header, session, audience, issuerOf(ctx, ia))
}
