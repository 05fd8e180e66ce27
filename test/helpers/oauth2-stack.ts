// A stack for plain OAuth2 providers (github, bitbucket, keycloak, …): the dev IdP acts as the provider's OAuth2
// authorization server (it issues the codes and opaque access tokens; gatehouse's --login-url and --redeem-url point at
// it), and a REST API stand-in asks the IdP's introspection endpoint (RFC 7662) who each access token belongs to, as
// the real API does internally.
import { freePort } from './process.js'
import { startStack, type Stack, type StackOptions } from './stack.js'

/** Finds out whose access token this is: the `sub` of an active token the dev IdP issued, or undefined. */
export type TokenOwner = (accessToken: string) => Promise<string | undefined>

/** The IdP that `startOAuth2Stack` will start, known before it starts so stand-ins can be told about it. */
export interface PlannedIdp {
  issuer: string
  port: number
  tokenOwner: TokenOwner
}

export async function planIdp(): Promise<PlannedIdp> {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const tokenOwner: TokenOwner = async (accessToken) => {
    if (accessToken === '') return undefined
    const r = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('gatehouse:gatehouse-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken, token_type_hint: 'access_token' }).toString(),
      signal: AbortSignal.timeout(5_000),
    })
    if (!r.ok) return undefined
    const info = (await r.json()) as { active?: unknown; sub?: unknown }
    return info.active === true && typeof info.sub === 'string' ? info.sub : undefined
  }
  return { issuer, port, tokenOwner }
}

export interface OAuth2StackOptions extends Omit<StackOptions, 'replaceArgs' | 'idp'> {
  idpOptions?: StackOptions['idp']
  provider: string
  idp: PlannedIdp
}

/**
 * Starts the dev IdP (plain OAuth2 mode), the echo upstream and gatehouse with `--provider=<provider>`, the
 * client_secret_post client (oauth2-proxy sends the secret in the form) and the IdP's authorization and token endpoints.
 */
export async function startOAuth2Stack(options: OAuth2StackOptions): Promise<Stack> {
  const { provider, idp, idpOptions, ...rest } = options
  return startStack({
    ...rest,
    idp: { ...idpOptions, port: idp.port, plainOAuth2: true },
    replaceArgs: (defaults) => [
      ...defaults.filter((a) => !/^--(provider|oidc-issuer-url|client-id|client-secret)=/.test(a)),
      `--provider=${provider}`,
      '--client-id=gatehouse-post',
      '--client-secret=gatehouse-post-secret',
      `--login-url=${idp.issuer}/auth`,
      `--redeem-url=${idp.issuer}/token`,
    ],
  })
}
