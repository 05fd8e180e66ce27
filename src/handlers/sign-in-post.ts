import { htpasswdSession } from '../auth/basic-auth.js'
import type { HtpasswdValidator } from '../auth/htpasswd.js'
import { appendSetCookies, redirect, sendHtml } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import { readForm } from './form.js'
import { appRedirect } from './redirects.js'
import type { Services } from './services.js'
import { startLogin } from './start.js'

export interface PasswordSignIn {
  validator: HtpasswdValidator
  /** `--htpasswd-user-group`. */
  groups: readonly string[]
}

/**
 * POST `<prefix>/sign_in` with `username`, `password` and `rd` (oauth2-proxy's ManualSignIn): a user of
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
    if (user !== '' && (await password.validator.validate(user, form.get('password') ?? ''))) {
      const now = s.clock()
      const session = { ...htpasswdSession(user, { groups: password.groups, preferEmailToUser: false }), createdAt: new Date(Math.floor(now / 1000) * 1000) }
      appendSetCookies(ctx.res, await s.store.save(ctx.cookies, session, ctx.origin.host, now))
      ctx.user = user
      ctx.log.info({ event: 'auth.login.success', user, method: 'htpasswd', client }, 'authenticated via the htpasswd file')
      return redirect(ctx.res, target)
    }
    if (user !== '') ctx.log.info({ event: 'auth.login.failed', user, reason: 'htpasswd', client }, 'invalid authentication via the htpasswd file')
    const cleared = await s.store.clear(ctx.cookies, ctx.origin.host)
    if (s.settings.skipProviderButton) return startLogin(ctx, s, target, cleared)
    appendSetCookies(ctx.res, cleared)
    const status = user === '' ? 400 : 401
    sendHtml(ctx.res, status, s.pages.signIn(target, status))
  }
}
