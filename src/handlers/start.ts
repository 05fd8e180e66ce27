import type { IdentityProvider } from '../auth/identity-providers.js'
import { beginLogin } from '../auth/login.js'
import type { RequestContext } from '../http/context.js'
import { appendSetCookies, redirect } from '../http/reply.js'
import type { Handler } from '../http/server.js'
import { offeredProviders, requestedProvider } from './provider-choice.js'
import { appRedirect, redirectUri } from './redirects.js'
import type { Services } from './services.js'

/**
 * Sends the browser to the IdP (`idp`, the first provider by default): sets the CSRF cookie, which names the
 * provider when there are several, and answers 302 (reference §3.6). `overrides` is the `/oauth2/start` query, whose
 * values may replace `loginURLParameters` defaults through their allow rules; other starts send the defaults.
 */
export async function startLogin(ctx: RequestContext, s: Services, target: string, extraCookies: readonly string[] = [], idp: IdentityProvider = s.idps.first, overrides?: URLSearchParams): Promise<void> {
  const login = beginLogin({ redirect: target, codeChallengeMethod: s.settings.codeChallengeMethod, encodeState: s.settings.encodeState })
  const url = await idp.provider.loginUrl({
    redirectUri: redirectUri(ctx, s),
    state: login.state,
    nonce: s.settings.skipNonce ? undefined : login.nonceHash,
    codeChallenge: login.codeChallenge,
    codeChallengeMethod: login.codeChallenge === undefined ? undefined : s.settings.codeChallengeMethod,
    extraParams: idp.loginParameters.resolve(overrides),
  })
  const providerId = s.idps.several ? idp.id : undefined
  appendSetCookies(ctx.res, [...extraCookies, ...s.csrf.issue(login, ctx.cookies, ctx.origin.host, s.clock(), providerId)])
  redirect(ctx.res, url)
}

/** GET `<prefix>/start?rd=…[&provider=ID]`: an unknown provider id is a 400; without one, the first one offered for `rd`. */
export function createStartHandler(s: Services): Handler {
  return (ctx) => {
    const target = appRedirect(ctx, s, undefined, 400)
    const idp = requestedProvider(ctx, s) ?? offeredProviders(ctx, s, target)[0]
    return startLogin(ctx, s, target, [], idp, ctx.query)
  }
}
