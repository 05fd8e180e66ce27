import { htpasswdSession } from '../auth/basic-auth.js'
import type { HtpasswdValidator } from '../auth/htpasswd.js'
import { FORM_TOKEN_FIELD, type FormTokens } from '../cookies/form-token.js'
import { appendSetCookies, redirect } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import { readForm } from './form.js'
import { appRedirect } from './redirects.js'
import type { Services } from './services.js'
import { sendSignInPage } from './sign-in-page.js'
import { startLogin } from './start.js'

export interface PasswordSignIn {
  validator: HtpasswdValidator
  /** The form's CSRF tokens: a post without the token its page was given is refused. */
  tokens: FormTokens
  /** `--htpasswd-user-group`. */
  groups: readonly string[]
}

/**
 * POST `<prefix>/sign_in` with `username`, `password`, `rd` and `csrf_token` (oauth2-proxy's ManualSignIn, plus a
 * login CSRF token; a post without the right one gets the sign-in page with 403): a user of
 * `--htpasswd-file` gets an ordinary session cookie and a 302 to the validated `rd`; an empty user name gets the
 * sign-in page with 400, a wrong password with 401 (or the IdP with `--skip-provider-button`). Other methods, and
 * POSTs without an htpasswd file, go to `page`, the sign-in page handler.
 */
export function withPasswordSignIn(s: Services, password: PasswordSignIn | undefined, page: Handler): Handler {
  if (password === undefined) return page
  return async (ctx) => {
    if (ctx.req.method !== 'POST') return page(ctx)
    const form = await readForm(ctx.req)
    const target = appRedirect(ctx, s, form)
    const user = form.get('username') ?? ''
    const client = ctx.origin.clientIp
    const now = s.clock()
    // Login CSRF (oauth2-proxy has no token): a post another site forged, or from a page past --cookie-csrf-expire,
    // is refused before the password is looked at, with a fresh page to try again.
    if (!password.tokens.verify(ctx.cookies, form.get(FORM_TOKEN_FIELD) ?? undefined, now)) {
      ctx.log.info({ event: 'auth.login.failed', user, reason: 'csrf_token', client }, 'sign-in form posted without its CSRF token')
      return sendSignInPage(ctx, s, target, 403, [])
    }
    if (user !== '' && (await password.validator.validate(user, form.get('password') ?? ''))) {
      const session = { ...htpasswdSession(user, { groups: password.groups, preferEmailToUser: false }), createdAt: new Date(Math.floor(now / 1000) * 1000) }
      appendSetCookies(ctx.res, [...(await s.store.save(ctx.cookies, session, ctx.origin.host, now)), password.tokens.clear(ctx.origin.host)])
      ctx.user = user
      ctx.log.info({ event: 'auth.login.success', user, method: 'htpasswd', client }, 'authenticated via the htpasswd file')
      return redirect(ctx.res, target)
    }
    if (user !== '') ctx.log.info({ event: 'auth.login.failed', user, reason: 'htpasswd', client }, 'invalid authentication via the htpasswd file')
    const cleared = await s.store.clear(ctx.cookies, ctx.origin.host)
    if (s.settings.skipProviderButton) return startLogin(ctx, s, target, cleared)
    sendSignInPage(ctx, s, target, user === '' ? 400 : 401, cleared)
  }
}
