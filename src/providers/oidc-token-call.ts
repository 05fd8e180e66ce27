import type * as oidc from 'openid-client'
import { ProxyError } from '../errors.js'
import { detailFromOAuthError, formatProviderError } from './provider-error.js'

/** A token endpoint call's outcome; when both client authentication styles were tried, the first failure too. */
export type TokenCallResult<T> = { ok: true; value: T } | { ok: false; error: unknown; headerError?: unknown }

/**
 * A token endpoint call as golang.org/x/oauth2 makes it with `AuthStyleAutoDetect`, which oauth2-proxy's OIDC redeem
 * and refresh use: the credentials in the `Authorization` header first and, when that call fails in any way at the
 * token endpoint, once more with `client_id` and `client_secret` in the form. oauth2-proxy builds a new
 * `oauth2.Config` for every call, so nothing is remembered between calls: every call starts with the header.
 * `inForm` is undefined when there is nothing to probe (a fixed style, private_key_jwt, a public client); `retryIf`
 * narrows which failures of the first call earn the second.
 */
export async function callTokenEndpoint<T>(
  call: (config: oidc.Configuration) => Promise<T>,
  primary: oidc.Configuration,
  inForm: (() => oidc.Configuration) | undefined,
  retryIf: (err: unknown) => boolean = isTokenEndpointFailure,
): Promise<TokenCallResult<T>> {
  try {
    return { ok: true, value: await call(primary) }
  } catch (headerError) {
    if (inForm === undefined || !retryIf(headerError)) return { ok: false, error: headerError }
    try {
      return { ok: true, value: await call(inForm()) }
    } catch (error) {
      return { ok: false, error, headerError }
    }
  }
}

/** The code exchange failed: the ProxyError to throw, with what the IdP said (never the code, secret or tokens). */
export function exchangeFailure(result: { error: unknown; headerError?: unknown }, secrets: ReadonlyArray<string | undefined>): ProxyError {
  const err = result.error
  if (isIdTokenRejection(err)) {
    // openid-client's own ID token checks (times, issuer, audience, nonce, alg, shape): refused like the signature
    // check, so every bad ID token gets the same answer.
    return new ProxyError('ERR_OIDC_ID_TOKEN_INVALID', 403, `ID token rejected: ${idTokenProblem(err)}`, { cause: err })
  }
  const said = whatTheIdpSaid(result, secrets)
  if (errorCode(err) === 'invalid_grant') {
    // A replayed, expired or foreign code is the client's problem, not the server's: no 5xx.
    return new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 403, `the provider refused the code: ${said}`, {
      cause: err,
      userMessage: 'Login Failed: this sign-in was already used or has expired. Please sign in again.',
    })
  }
  return new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 500, `code exchange failed: ${said}`, { cause: err })
}

/** A refresh failed: the grant is gone (the session ends, with the reason) or the call failed (the session is kept). */
export function refreshFailure(result: { error: unknown; headerError?: unknown }, secrets: ReadonlyArray<string | undefined>): { kind: 'revoked'; reason: string } | ProxyError {
  const said = whatTheIdpSaid(result, secrets)
  // oauth2-proxy #3333: these refresh errors end the session instead of keeping it.
  const code = errorCode(result.error)
  if (code === 'invalid_grant' || code === 'invalid_client') return { kind: 'revoked', reason: said }
  return new ProxyError('ERR_OIDC_REFRESH_FAILED', 502, `token refresh failed: ${said}`, { cause: result.error })
}

/** `the token endpoint answered 401 invalid_client: …`, or the transport error, plus the header attempt's answer. */
function whatTheIdpSaid(result: { error: unknown; headerError?: unknown }, secrets: ReadonlyArray<string | undefined>): string {
  const last = describeFailure(result.error, 'the token endpoint', secrets)
  if (result.headerError === undefined) return last
  return `${last} (client_secret in the form; with HTTP Basic first: ${describeFailure(result.headerError, 'the token endpoint', secrets)})`
}

/**
 * What one failed call to `endpoint` says: `<endpoint> answered <status> <error>: <error_description>`, or the
 * error's own message when the IdP's answer was never read (a transport failure, a timeout).
 */
export function describeFailure(err: unknown, endpoint: string, secrets: ReadonlyArray<string | undefined>): string {
  const said = formatProviderError(detailFromOAuthError(err), secrets)
  if (said !== '') return `${endpoint} ${said}`
  const e = err as { message?: unknown; cause?: { message?: unknown } }
  const cause = typeof e?.cause?.message === 'string' ? ` (${e.cause.message})` : ''
  const message = formatProviderError({ description: `${typeof e?.message === 'string' ? e.message : String(err)}${cause}` }, secrets)
  return `the call to ${endpoint} failed: ${message.replace(/^answered: /, '')}`
}

/** The OAuth `error` code of an openid-client error, when the IdP sent one. */
export function errorCode(err: unknown): string | undefined {
  const e = err as { error?: unknown; cause?: { error?: unknown } }
  const code = e?.error ?? e?.cause?.error
  return typeof code === 'string' ? code : undefined
}

/**
 * The call got no usable answer from the token endpoint: an OAuth error, a 401 challenge, a non-OAuth status or body,
 * or a transport failure. golang.org/x/oauth2 retries all of these with the other style; checks of a good answer
 * (the ID token, state, nonce) are not retried, the code having been spent.
 */
function isTokenEndpointFailure(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  if (code === 'OAUTH_RESPONSE_BODY_ERROR' || code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE') return true
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') return true
  const name = (err as { name?: unknown })?.name
  if (name === 'TimeoutError' || name === 'AbortError') return true
  return err instanceof TypeError && code === undefined && (err as Error).message === 'fetch failed'
}

/** openid-client's checks of the ID token in a token response failed (oauth4webapi codes; not a transport or HTTP error). */
function isIdTokenRejection(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' || code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') return true
  if (code !== 'OAUTH_INVALID_RESPONSE' && code !== 'OAUTH_PARSE_ERROR') return false
  return /\bJWT\b|ID Token/.test(idTokenProblem(err))
}

/** The specific reason oauth4webapi gave (openid-client wraps it under a generic message). */
function idTokenProblem(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause
  return cause instanceof Error ? cause.message : (err as Error)?.message ?? String(err)
}
