import type { LoginParams } from '../auth/login-parameters.js'
import type { Session } from '../session/session.js'
import type { IntrospectionAnswer } from './oidc-introspection.js'
import type { LogoutClaims } from './logout-token.js'

/** What a login needs from the callback: the URL the IdP sent the browser to, and the checks from the CSRF cookie. */
export interface RedeemInput {
  callbackUrl: URL
  redirectUri: string
  /** The full `state` value sent to the IdP. */
  state: string
  /** The hashed OIDC nonce sent to the IdP, when nonces are on. */
  nonce: string | undefined
  /** The raw nonce bytes, kept in the session as oauth2-proxy does. */
  nonceBytes: Uint8Array | undefined
  codeVerifier: string | undefined
  now: number
}

export type RefreshResult =
  | { kind: 'refreshed'; session: Session }
  | { kind: 'not-refreshable' }
  /** The IdP said the grant is gone (`invalid_grant`): the session ends; `reason` is what the IdP said, for the log. */
  | { kind: 'revoked'; reason?: string }

/** An identity provider as the proxy uses it. Implementations wrap their SDKs; errors leave as ProxyError. */
export interface Provider {
  readonly name: string
  readonly displayName: string
  /** Fetches discovery and keys ahead of the first login; failures are retried later. */
  warmUp(): Promise<void>
  /** The authorization request URL; `extraParams` are the provider's `loginURLParameters` for this login. */
  loginUrl(params: { redirectUri: string; state: string; nonce: string | undefined; codeChallenge: string | undefined; codeChallengeMethod: string | undefined; extraParams: LoginParams }): Promise<string>
  redeem(input: RedeemInput): Promise<Session>
  refresh(session: Session, now: number): Promise<RefreshResult>
  /** RFC 7662: asks the provider's introspection endpoint about a token as this client; OpenID Connect providers only. */
  introspect?(token: string): Promise<IntrospectionAnswer>
  /**
   * OpenID Connect Back-Channel Logout: verifies a logout token (signature, `iss`, `aud`, times, claims; §2.6) or
   * throws ProxyError 400. Providers that are not OpenID Connect leave it out.
   */
  verifyLogoutToken?(token: string): Promise<LogoutClaims>
  /** The discovered `end_session_endpoint` (RP-initiated logout); undefined when the IdP publishes none. */
  endSessionEndpoint?(): Promise<string | undefined>
  /** The client id, sent along with RP-initiated logout requests. */
  readonly clientId?: string
}
