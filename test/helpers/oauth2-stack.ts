// A stack for plain OAuth2 providers (github, bitbucket, keycloak, …): the dev IdP acts as the provider's OAuth2
// authorization server (it issues the codes and opaque access tokens; gatehouse's --login-url and --redeem-url point at
// it), and a REST API stand-in asks the IdP's introspection endpoint (RFC 7662) who each access token belongs to, as
// the real API does internally.
import { strict as assert } from 'node:assert'
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
  /** Replaces the stack's default `--email-domain=*` (a list option: a later flag would add to it, not replace it). */
  emailDomains?: string[]
}

/**
 * Starts the dev IdP (plain OAuth2 mode), the echo upstream and gatehouse with `--provider=<provider>`, the
 * client_secret_post client (oauth2-proxy sends the secret in the form) and the IdP's authorization and token endpoints.
 */
export async function startOAuth2Stack(options: OAuth2StackOptions): Promise<Stack> {
  const { provider, idp, idpOptions, emailDomains, ...rest } = options
  return startStack({
    ...rest,
    idp: { ...idpOptions, port: idp.port, plainOAuth2: true },
    replaceArgs: (defaults) => [
      ...defaults.filter((a) => !/^--(provider|oidc-issuer-url|client-id|client-secret)=/.test(a) && (emailDomains === undefined || !a.startsWith('--email-domain='))),
      ...(emailDomains ?? []).map((d) => `--email-domain=${d}`),
      `--provider=${provider}`,
      '--client-id=gatehouse-post',
      '--client-secret=gatehouse-post-secret',
      `--login-url=${idp.issuer}/auth`,
      `--redeem-url=${idp.issuer}/token`,
    ],
  })
}

/** Signs `login` in from `/` and returns the final status with `/oauth2/userinfo` (undefined when not signed in). */
export async function signInIdentity(stack: Stack, login: string): Promise<{ status: number; info: { user?: string; email?: string; groups?: string[] } | undefined }> {
  const { client, result } = await stack.signIn(login, '/')
  if (result.status !== 302) return { status: result.status, info: undefined }
  const r = await client.get(`${stack.proxy.url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })
  return { status: result.status, info: JSON.parse(r.body) as { user?: string; email?: string; groups?: string[] } }
}

/**
 * With the API stand-in answering 500 to every call, a sign-in of `login` must end in a 502 and the proxy log must
 * name the failed call (`logLine`); the stand-in is put back to 'ok' afterwards.
 */
export async function assertBrokenApiIs502(stack: Stack, api: { mode: 'ok' | 'broken' | 'hang' }, login: string, logLine: string): Promise<void> {
  api.mode = 'broken'
  try {
    assert.equal((await signInIdentity(stack, login)).status, 502)
    await stack.proxy.waitForLog(logLine)
  } finally {
    api.mode = 'ok'
  }
}
