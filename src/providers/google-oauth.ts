import { ProxyError } from '../errors.js'
import { detailFromFields, formatProviderError } from './provider-error.js'

/** oauth2-proxy's google defaults (providers/google.go): `access_type=offline` asks Google for a refresh token. */
export const GOOGLE_LOGIN_URL = 'https://accounts.google.com/o/oauth2/auth?access_type=offline'
export const GOOGLE_REDEEM_URL = 'https://www.googleapis.com/oauth2/v3/token'
export const GOOGLE_VALIDATE_URL = 'https://www.googleapis.com/oauth2/v1/tokeninfo'
export const GOOGLE_SCOPE = 'profile email'

/** A token endpoint answer, the fields oauth2-proxy's google provider reads. */
export interface GoogleTokens {
  accessToken: string | undefined
  refreshToken: string | undefined
  idToken: string | undefined
  expiresIn: number | undefined
}

/** Tokens, or the OAuth error the endpoint answered with `said`: its status, `error` and `error_description`, redacted. */
export type TokenCall = { kind: 'tokens'; tokens: GoogleTokens } | { kind: 'oauth-error'; error: string; said: string }

/** Grant parameters that carry secrets (never logged, even when the IdP echoes them back). */
const SECRET_PARAMS = ['client_secret', 'code', 'code_verifier', 'refresh_token']

/**
 * POSTs a grant to the token endpoint with the client credentials in the form, as oauth2-proxy's google provider does
 * (https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code). Transport failures
 * and non-OAuth answers leave as ProxyError naming the call; a 4xx OAuth error comes back as a value.
 */
export async function postGrant(input: { fetch: typeof fetch; url: string; params: Record<string, string>; call: string }): Promise<TokenCall> {
  let response: Response
  try {
    response = await input.fetch(input.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(input.params),
      redirect: 'error',
    })
  } catch (err) {
    throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 502, `${input.call} at ${input.url} failed: ${(err as Error).message}`, { cause: err })
  }
  const json = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  const said = (): string => formatProviderError(detailFromFields(json !== null && typeof json === 'object' ? json : {}, response.status), SECRET_PARAMS.map((k) => input.params[k]))
  if (response.ok && json !== undefined && json !== null && typeof json === 'object') {
    const str = (k: string) => (typeof json[k] === 'string' && json[k] !== '' ? (json[k] as string) : undefined)
    const expiresIn = typeof json['expires_in'] === 'number' && json['expires_in'] > 0 ? json['expires_in'] : undefined
    return { kind: 'tokens', tokens: { accessToken: str('access_token'), refreshToken: str('refresh_token'), idToken: str('id_token'), expiresIn } }
  }
  if (response.status >= 400 && response.status < 500 && typeof json?.['error'] === 'string') return { kind: 'oauth-error', error: json['error'], said: said() }
  throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 502, `${input.call} at ${input.url} ${said()}`)
}

/**
 * The ID token's payload, read without checking its signature: oauth2-proxy's google provider does the same, the token
 * having come straight from the token endpoint over TLS (OpenID Connect Core §3.1.3.7 allows TLS server validation in
 * place of the signature check for such tokens). Undefined when the token is not a JWT with a JSON object payload.
 */
export function idTokenPayload(idToken: string): Record<string, unknown> | undefined {
  const parts = idToken.split('.')
  if (parts.length !== 3 || parts[1] === undefined) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

