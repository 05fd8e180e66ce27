import type { Handler } from '../http/server.js'
import { offeredProviders, requestedProvider } from './provider-choice.js'
import { appRedirect } from './redirects.js'
import type { Services } from './services.js'
import { sendSignInPage } from './sign-in-page.js'
import { startLogin } from './start.js'

/**
 * `<prefix>/sign_in`: the sign-in page, or straight to the IdP with `--skip-provider-button` (to `?provider=ID`
 * with several providers, else the first one offered). Rendering it always clears the session cookie (GHSA-f24x-5g9q-753f).
 */
export function createSignInHandler(s: Services): Handler {
  return async (ctx) => {
    const target = appRedirect(ctx, s, undefined, s.settings.skipProviderButton ? 400 : 500)
    const chosen = requestedProvider(ctx, s)
    const cleared = await s.store.clear(ctx.cookies, ctx.origin.host)
    if (s.settings.skipProviderButton) return startLogin(ctx, s, target, cleared, chosen ?? offeredProviders(ctx, s, target)[0])
    sendSignInPage(ctx, s, target, 200, cleared)
  }
}
