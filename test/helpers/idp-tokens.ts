// Tokens straight from a development IdP for bearer-token tests: the code flow of its `gatehouse` client through a
// throwaway relying party, as an API client would obtain them (no proxy involved).
import type { DevIdp } from '../../src/dev/idp.js'
import { createClient } from './http.js'
import { loginViaHttp } from './login.js'
import { authRequest, discover, redeem, startTestRp } from './oidc-rp.js'

/** The access token (a JWT when the IdP has `jwtAccessTokens`) and the ID token of `login` at `idp`. */
export async function tokensFor(idp: DevIdp, login: string, password = `${login}-password`): Promise<{ accessToken: string; idToken: string }> {
  const rp = await startTestRp()
  try {
    const config = await discover(idp.issuer, { clientId: 'gatehouse', clientSecret: 'gatehouse-secret', authMethod: 'client_secret_basic' })
    const request = await authRequest(config, rp.callbackUrl)
    await loginViaHttp(createClient(), rp.startUrl(request.url), { login, password })
    const tokens = await redeem(config, rp.callbackRequest(), request)
    if (tokens.id_token === undefined) throw new Error('the IdP issued no ID token')
    return { accessToken: tokens.access_token, idToken: tokens.id_token }
  } finally {
    await rp.close()
  }
}
