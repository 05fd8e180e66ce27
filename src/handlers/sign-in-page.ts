import type { RequestContext } from '../http/context.js'
import { appendSetCookies, sendHtml } from '../http/reply.js'
import { offeredProviders } from './provider-choice.js'
import type { Services } from './services.js'

/**
 * Answers with the sign-in page and `setCookies`: a button per provider offered for `target` (narrowed to
 * `accepted`, the route's providers, when given); with an htpasswd form, also the form's CSRF cookie, whose token
 * the page posts back (see cookies/form-token.ts).
 */
export function sendSignInPage(ctx: RequestContext, s: Services, target: string, status: number, setCookies: readonly string[], accepted?: readonly string[]): void {
  const issued = s.formTokens?.issue(ctx.cookies, ctx.origin.host, s.clock())
  appendSetCookies(ctx.res, [...setCookies, ...(issued?.setCookies ?? [])])
  const choices = s.idps.several ? offeredProviders(ctx, s, target, accepted).map((idp) => ({ id: idp.id, name: idp.displayName })) : []
  sendHtml(ctx.res, status, s.pages.signIn(target, status, issued?.token ?? '', choices))
}
