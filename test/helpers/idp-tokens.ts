// Tokens straight from a development IdP for bearer-token tests: the code flow of one of its clients (`gatehouse`
// unless told) through a throwaway relying party, as an API client would obtain them (no proxy involved).
import type { DevIdp } from '../../src/dev/idp.js'
import { createClient } from './http.js'
import { loginViaHttp } from './login.js'
import { authRequest, discover, redeem, startTestRp, type RpClient } from './oidc-rp.js'

const GATEHOUSE_CLIENT: RpClient = { clientId: 'gatehouse', clientSecret: 'gatehouse-secret', authMethod: 'client_secret_basic' }

/** The access token (a JWT when the IdP has `jwtAccessTokens`, opaque otherwise), the ID token and any refresh token. */
export async function tokensFor(
  idp: DevIdp,
  login: string,
  password = `${login}-password`,
  client: RpClient = GATEHOUSE_CLIENT,
): Promise<{ accessToken: string; idToken: string; refreshToken: string | undefined }> {
  const rp = await startTestRp()
  try {
    const config = await discover(idp.issuer, client)
    const request = await authRequest(config, rp.callbackUrl)
    await loginViaHttp(createClient(), rp.startUrl(request.url), { login, password })
    const tokens = await redeem(config, rp.callbackRequest(), request)
    if (tokens.id_token === undefined) throw new Error('the IdP issued no ID token')
    return { accessToken: tokens.access_token, idToken: tokens.id_token, refreshToken: tokens.refresh_token }
  } finally {
    await rp.close()
  }
}

/** Revokes `token` at the IdP (RFC 7009) as the client it was issued to (`gatehouse` unless told). */
export async function revokeAtIdp(idp: DevIdp, token: string, client: RpClient = GATEHOUSE_CLIENT): Promise<void> {
  const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as { revocation_endpoint?: string }
  if (discovery.revocation_endpoint === undefined) throw new Error('the IdP publishes no revocation_endpoint')
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret ?? ''}`).toString('base64')
  const r = await fetch(discovery.revocation_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  })
  if (r.status !== 200) throw new Error(`revocation answered ${r.status}`)
}
