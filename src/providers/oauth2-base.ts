import type { LoginParams } from '../auth/login-parameters.js'
import { ProxyError } from '../errors.js'
import type { Session } from '../session/session.js'
import { callApi, type ApiAnswer } from './api-call.js'
import type { Provider, RedeemInput, RefreshResult } from './provider.js'
import { buildLoginUrl } from './login-query.js'
import { detailFromBody, formatProviderError } from './provider-error.js'
import { validateToken, type ValidateHeaders } from './validate-url.js'

/** Who signed in, as a provider's REST API describes them. */
export interface OAuth2Identity {
  email?: string
  user?: string
  groups?: string[]
  preferredUsername?: string
}

export type { ValidateHeaders }

export interface OAuth2ProviderOptions {
  /** The `--provider` type, reported as `Provider.name`. */
  name: string
  displayName: string
  clientId: string
  clientSecret: string | undefined
  /** Endpoints: the configured `--login-url` etc., or the provider's defaults. */
  loginUrl: string
  redeemUrl: string
  validateUrl: string
  scope: string
  responseMode: string
  /** `--cookie-expire` in ms: oauth2-proxy sets ExpiresOn = CreatedAt + cookie_expire for tokens without an expiry. */
  sessionLifetimeMs: number
  fetch: typeof fetch
  /** Reads the identity with the new access token; throws a 403 ProxyError for a refused user, a 502 when the API fails. */
  identify(accessToken: string): Promise<OAuth2Identity>
  validateHeaders: ValidateHeaders
}

/**
 * oauth2-proxy's `makeLoginURL` for plain OAuth2 providers, which ignore the OIDC nonce as oauth2-proxy's default
 * `GetLoginURL` does.
 */
export function plainLoginUrl(
  options: Pick<OAuth2ProviderOptions, 'loginUrl' | 'clientId' | 'scope' | 'responseMode'>,
  input: { redirectUri: string; state: string; codeChallenge: string | undefined; codeChallengeMethod: string | undefined; extraParams: LoginParams },
): string {
  const standard: Record<string, string> = { redirect_uri: input.redirectUri, scope: options.scope, client_id: options.clientId, response_type: 'code', state: input.state }
  if (options.responseMode !== '') standard['response_mode'] = options.responseMode
  if (input.codeChallenge !== undefined && input.codeChallengeMethod !== undefined) {
    standard['code_challenge'] = input.codeChallenge
    standard['code_challenge_method'] = input.codeChallengeMethod
  }
  return buildLoginUrl(options.loginUrl, { standard, extra: input.extraParams })
}

/**
 * The access token from a token endpoint answer. Like oauth2-proxy's default `Redeem`, JSON is tried first, then
 * `application/x-www-form-urlencoded` (what GitHub sends when no JSON is asked for). An `error` there (`invalid_grant`,
 * GitHub's `bad_verification_code`, which GitHub sends with status 200) is returned instead.
 */
export function parseTokenAnswer(answer: Pick<ApiAnswer, 'text'>): { accessToken: string } | { error: string } | undefined {
  let fields: Record<string, unknown>
  try {
    const json: unknown = JSON.parse(answer.text)
    fields = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {}
  } catch {
    fields = Object.fromEntries(new URLSearchParams(answer.text))
  }
  const token = fields['access_token']
  if (typeof token === 'string' && token !== '') return { accessToken: token }
  const error = fields['error']
  return typeof error === 'string' && error !== '' ? { error } : undefined
}

/** Codes by which a token endpoint says the code itself is bad (used, expired, foreign): the user signs in again. */
const BAD_CODE_ERRORS = new Set(['invalid_grant', 'bad_verification_code'])

/**
 * A provider that speaks plain OAuth2 (no ID token), as oauth2-proxy's github, bitbucket, keycloak, … providers:
 * authorization code (+ PKCE when configured), code redeemed with the client secret in the form, identity from the
 * provider's REST API, then the validate URL. These providers have no refresh: when `--cookie-refresh` is due, the
 * session is checked at the validate URL again, as oauth2-proxy does.
 */
export function createOAuth2Provider(options: OAuth2ProviderOptions): Provider {
  /** oauth2-proxy's `validateToken`, with gatehouse's one rule for a failing validate URL (validate-url.ts). */
  async function tokenAccepted(accessToken: string | undefined): Promise<boolean> {
    const result = await validateToken({ fetch: options.fetch, validateUrl: options.validateUrl, accessToken, headers: options.validateHeaders, provider: options.displayName })
    return result.valid
  }

  async function redeemCode(input: RedeemInput): Promise<string> {
    const code = input.callbackUrl.searchParams.get('code')
    if (code === null || code === '') {
      throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 403, 'the callback has no code', { userMessage: 'Login Failed: the identity provider sent no authorization code. Please sign in again.' })
    }
    // oauth2-proxy's default Redeem: every parameter in the form, the secret included (no HTTP Basic).
    const form = new URLSearchParams({ redirect_uri: input.redirectUri, client_id: options.clientId, client_secret: options.clientSecret ?? '', code, grant_type: 'authorization_code' })
    if (input.codeVerifier !== undefined) form.set('code_verifier', input.codeVerifier)
    const answer = await callApi({
      fetch: options.fetch,
      url: options.redeemUrl,
      call: `${options.displayName} code redemption (--redeem-url)`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    }).catch((err: unknown) => {
      throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 502, (err as Error).message, { cause: err })
    })
    const parsed = parseTokenAnswer(answer)
    // What the IdP said (status, error, error_description), never the code, secret or verifier it may echo.
    const said = (): string => formatProviderError(detailFromBody(answer.text, answer.status), [options.clientSecret, code, input.codeVerifier])
    if (parsed !== undefined && 'error' in parsed && BAD_CODE_ERRORS.has(parsed.error)) {
      throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 403, `the provider refused the code: --redeem-url ${said()}`, {
        userMessage: 'Login Failed: this sign-in was already used or has expired. Please sign in again.',
      })
    }
    if (answer.status < 200 || answer.status > 299 || parsed === undefined || 'error' in parsed) {
      throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 502, `code redemption failed: --redeem-url ${said()} without an access token`)
    }
    return parsed.accessToken
  }

  return {
    name: options.name,
    displayName: options.displayName,
    // Nothing to discover: the endpoints are configured or fixed.
    warmUp: async () => {},

    async loginUrl({ redirectUri, state, codeChallenge, codeChallengeMethod, extraParams }) {
      return plainLoginUrl(options, { redirectUri, state, codeChallenge, codeChallengeMethod, extraParams })
    },

    async redeem(input: RedeemInput): Promise<Session> {
      const accessToken = await redeemCode(input)
      // oauth2-proxy's callback: EnrichSession, then ValidateSession.
      const identity = await options.identify(accessToken)
      if (!(await tokenAccepted(accessToken))) throw new ProxyError('ERR_LOGIN_INVALID_SESSION', 403, 'Session validation failed: the validate URL did not accept the access token')
      const createdAt = Math.floor(input.now / 1000) * 1000
      return {
        createdAt: new Date(createdAt),
        ...(options.sessionLifetimeMs > 0 ? { expiresOn: new Date(createdAt + options.sessionLifetimeMs) } : {}),
        accessToken,
        ...(identity.email === undefined || identity.email === '' ? {} : { email: identity.email }),
        ...(identity.user === undefined || identity.user === '' ? {} : { user: identity.user }),
        ...(identity.groups === undefined || identity.groups.length === 0 ? {} : { groups: identity.groups }),
        ...(identity.preferredUsername === undefined || identity.preferredUsername === '' ? {} : { preferredUsername: identity.preferredUsername }),
        ...(input.nonceBytes === undefined ? {} : { nonce: input.nonceBytes }),
      }
    },

    async refresh(session: Session, now: number): Promise<RefreshResult> {
      // oauth2-proxy: RefreshSession is not implemented, which counts as refreshed (timer reset), then ValidateSession.
      // A validate URL that cannot be reached throws (the session is kept and the failure logged) instead of ending it.
      if (!(await tokenAccepted(session.accessToken))) return { kind: 'revoked' }
      return { kind: 'refreshed', session: { ...session, createdAt: new Date(Math.floor(now / 1000) * 1000) } }
    },
  }
}
