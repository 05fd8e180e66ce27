import { beginLogin } from '../auth/login.js'
import type { RequestContext } from '../http/context.js'
import { appendSetCookies, redirect } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import { appRedirect, redirectUri } from './redirects.js'
import type { Services } from './services.js'

/** Sends the browser to the IdP: sets the CSRF cookie and answers 302 (reference §3.6). */
export async function startLogin(ctx: RequestContext, s: Services, target: string, extraCookies: readonly string[] = []): Promise<void> {
  const login = beginLogin({ redirect: target, codeChallengeMethod: s.settings.codeChallengeMethod, encodeState: s.settings.encodeState })
  const url = await s.provider.loginUrl({
    redirectUri: redirectUri(ctx, s),
    state: login.state,
    nonce: s.settings.skipNonce ? undefined : login.nonceHash,
    codeChallenge: login.codeChallenge,
    codeChallengeMethod: login.codeChallenge === undefined ? undefined : s.settings.codeChallengeMethod,
  })
  appendSetCookies(ctx.res, [...extraCookies, ...s.csrf.issue(login, ctx.cookies, ctx.origin.host, s.clock())])
  redirect(ctx.res, url)
}

/** GET `<prefix>/start?rd=…`. */
export function createStartHandler(s: Services): Handler {
  return (ctx) => startLogin(ctx, s, appRedirect(ctx, s, undefined, 400))
}
