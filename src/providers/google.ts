import { ProxyError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import type { Session } from '../session/session.js'
import { claimToString } from './claims.js'
import type { GoogleDirectory } from './google-admin.js'
import { idTokenPayload, postGrant, type GoogleTokens } from './google-oauth.js'
import { buildLoginUrl } from './login-query.js'
import { queryOnly, validateToken } from './validate-url.js'
import type { Provider, RedeemInput, RefreshResult } from './provider.js'

export interface GoogleProviderOptions {
  displayName: string
  clientId: string
  clientSecret: string
  loginUrl: string
  redeemUrl: string
  validateUrl: string
  scope: string
  responseMode: string
  /** Admin SDK access, when `--google-service-account-json` is set. */
  directory: GoogleDirectory | undefined
  /** `--google-group`: the groups checked with members.hasMember; empty lists all of the user's groups instead. */
  groups: readonly string[]
  /** `--google-use-organization-id`: preferred_username from the user's organization external ID. */
  useOrganizationId: boolean
  fetch: typeof fetch
  log: Logger
}

/**
 * `--provider=google`, oauth2-proxy's default: plain OAuth 2.0 against Google's endpoints (or the `--login-url`,
 * `--redeem-url` and `--validate-url` given), the identity read from the ID token of the token response, groups from
 * the Admin SDK Directory API, and the access token checked at the validate URL after sign-in and refresh.
 */
export function createGoogleProvider(options: GoogleProviderOptions): Provider {
  const grant = (params: Record<string, string>, call: string) =>
    postGrant({ fetch: options.fetch, url: options.redeemUrl, call, params: { client_id: options.clientId, client_secret: options.clientSecret, ...params } })

  /** oauth2-proxy's groupValidator: the configured groups the user is in, or all of the user's groups. */
  async function enrich(session: Session): Promise<Session> {
    const directory = options.directory
    if (directory === undefined || session.email === undefined) return session
    const email = session.email
    let groups: string[]
    if (options.groups.length > 0) {
      const checks = await Promise.all(options.groups.map(async (group) => ((await directory.isMember(group, email)) ? group : undefined)))
      groups = checks.filter((g): g is string => g !== undefined)
    } else {
      groups = await directory.groupsOf(email)
    }
    const { groups: _old, preferredUsername: _oldName, ...rest } = session
    let preferredUsername = session.preferredUsername
    if (options.useOrganizationId) {
      preferredUsername = await directory.organizationId(email)
      if (preferredUsername === undefined) options.log.warn({ event: 'provider.google.no_organization_id', email }, 'the Admin SDK user has no organization external ID')
    }
    return { ...rest, ...(groups.length === 0 ? {} : { groups }), ...(preferredUsername === undefined ? {} : { preferredUsername }) }
  }

  function sessionTimes(tokens: GoogleTokens, now: number): Pick<Session, 'createdAt' | 'expiresOn'> {
    const created = Math.floor(now / 1000) * 1000
    return { createdAt: new Date(created), ...(tokens.expiresIn === undefined ? {} : { expiresOn: new Date(created + tokens.expiresIn * 1000) }) }
  }

  return {
    name: 'google',
    displayName: options.displayName,
    warmUp: async () => {},

    async loginUrl({ redirectUri, state, codeChallenge, codeChallengeMethod, extraParams }) {
      // oauth2-proxy's makeLoginURL: the login URL's own query (access_type=offline) and ours, encoded sorted by key.
      const standard: Record<string, string> = { redirect_uri: redirectUri, scope: options.scope, client_id: options.clientId, response_type: 'code', state }
      if (options.responseMode !== '') standard['response_mode'] = options.responseMode
      if (codeChallenge !== undefined && codeChallengeMethod !== undefined) {
        standard['code_challenge'] = codeChallenge
        standard['code_challenge_method'] = codeChallengeMethod
      }
      return buildLoginUrl(options.loginUrl, { standard, extra: extraParams })
    },

    async redeem(input: RedeemInput) {
      const code = input.callbackUrl.searchParams.get('code')
      if (code === null || code === '') throw new ProxyError('ERR_BAD_REQUEST', 400, 'the callback has no code', { userMessage: 'Login Failed: the identity provider sent no code.' })
      const answer = await grant(
        { redirect_uri: input.redirectUri, code, grant_type: 'authorization_code', ...(input.codeVerifier === undefined ? {} : { code_verifier: input.codeVerifier }) },
        'Google token request (authorization_code)',
      )
      if (answer.kind === 'oauth-error') {
        if (answer.error === 'invalid_grant') {
          throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 403, `the provider refused the code: ${answer.said}`, {
            userMessage: 'Login Failed: this sign-in was already used or has expired. Please sign in again.',
          })
        }
        throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 500, `Google token request (authorization_code) refused: the token endpoint ${answer.said}`)
      }
      const { tokens } = answer
      const claims = tokens.idToken === undefined ? undefined : idTokenPayload(tokens.idToken)
      if (claims === undefined) throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 502, 'the Google token response has no readable id_token (is "openid" in --scope for a non-Google IdP?)')
      const email = claimToString(claims['email'])
      if (email === undefined) throw new ProxyError('ERR_OIDC_CLAIMS', 500, 'the ID token has no email (is "email" in --scope?)')
      // oauth2-proxy requires email_verified to be true; absent counts as unverified.
      if (claims['email_verified'] !== true) {
        throw new ProxyError('ERR_OIDC_CLAIMS', 403, `email ${email} is not verified`, { userMessage: 'Your email address is not verified by the identity provider.' })
      }
      const sub = claimToString(claims['sub'])
      let session: Session = {
        ...sessionTimes(tokens, input.now),
        ...(tokens.accessToken === undefined ? {} : { accessToken: tokens.accessToken }),
        idToken: tokens.idToken as string,
        ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
        email,
        ...(sub === undefined ? {} : { user: sub }),
      }
      session = await enrich(session)
      // oauth2-proxy's callback: a session the validate URL does not accept is refused with a plain 403.
      if (!(await validateToken({ fetch: options.fetch, validateUrl: options.validateUrl, accessToken: session.accessToken, headers: queryOnly, provider: 'Google' })).valid) {
        throw new ProxyError('ERR_LOGIN_INVALID_SESSION', 403, `Session validation failed: ${options.validateUrl} did not accept the access token`)
      }
      return session
    },

    async refresh(session, now): Promise<RefreshResult> {
      if (session.refreshToken === undefined) return { kind: 'not-refreshable' }
      const answer = await grant({ refresh_token: session.refreshToken, grant_type: 'refresh_token' }, 'Google token request (refresh_token)')
      if (answer.kind === 'oauth-error') {
        if (answer.error === 'invalid_grant' || answer.error === 'invalid_client') return { kind: 'revoked', reason: `the token endpoint ${answer.said}` }
        throw new ProxyError('ERR_OIDC_REFRESH_FAILED', 502, `Google token request (refresh_token) refused: the token endpoint ${answer.said}`)
      }
      const { tokens } = answer
      // Google keeps the refresh token; IdPs that rotate it send a new one, which is kept (oauth2-proxy drops it).
      let next: Session = {
        ...session,
        ...sessionTimes(tokens, now),
        ...(tokens.accessToken === undefined ? {} : { accessToken: tokens.accessToken }),
        ...(tokens.idToken === undefined ? {} : { idToken: tokens.idToken }),
        ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
      }
      // oauth2-proxy re-checks the groups on every refresh. A user no longer in any configured group keeps a session
      // without groups, which --google-group then refuses (oauth2-proxy fails the refresh, with the same 403).
      next = await enrich(next)
      if (options.directory !== undefined && options.groups.length > 0 && next.groups === undefined) {
        options.log.info({ event: 'provider.google.groups_lost', email: next.email }, `${next.email ?? ''} is no longer in the group(s)`)
      }
      if (!(await validateToken({ fetch: options.fetch, validateUrl: options.validateUrl, accessToken: next.accessToken, headers: queryOnly, provider: 'Google' })).valid) return { kind: 'revoked' }
      return { kind: 'refreshed', session: next }
    },
  }
}
