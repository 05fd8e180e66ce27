// Public types of the development OpenID provider (src/dev/idp.ts). Development and tests only.
import type { RecordedRequest } from './idp-shapes.js'

/** A demo account of the development IdP; `password` is stored in clear on purpose (development only). */
export interface DevUser {
  sub: string
  /** Empty for an account without an email (no `email` or `email_verified` claim). */
  email: string
  emailVerified: boolean
  name: string
  preferredUsername: string
  groups: string[]
  password: string
  /** Released in the ID token and userinfo whenever `openid` is granted (e.g. Keycloak's `realm_access`, Entra's `tid`). */
  extraClaims?: Record<string, unknown>
  /**
   * Claims of the user's access tokens: inside JWT ones (with `DevIdpOptions.jwtAccessTokens`), in the introspection
   * answer of opaque ones, e.g. Keycloak's `realm_access` and `resource_access`.
   */
  accessTokenClaims?: Record<string, unknown>
  /** Claims userinfo answers with instead of (or besides) the ID token's, e.g. cidaas's `groups: [{groupId, roles}]`. */
  userinfoClaims?: Record<string, unknown>
}

/**
 * A client registered at the development IdP.
 * `redirectUris` and `postLogoutRedirectUris` may hold wildcard patterns: `*` matches one or more letters,
 * digits, `-` or `_` (a port, a host label, a path segment) and a double star matches anything, so
 * `http://127.0.0.1:<star>/<double star>` (see DEFAULT_DEV_CLIENTS) accepts every loopback redirect.
 */
export interface DevClient {
  clientId: string
  clientSecret?: string
  authMethod: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'
  /** The client's public keys, for `private_key_jwt`: the IdP verifies its client assertions with them. */
  jwks?: { keys: Record<string, unknown>[] }
  redirectUris: string[]
  postLogoutRedirectUris?: string[]
  /** ID token signing algorithm for this client; RS256 unless set. */
  idTokenSignedResponseAlg?: 'RS256' | 'ES256'
  /** OpenID Connect Back-Channel Logout: where the IdP POSTs logout tokens when a session ends. */
  backchannelLogoutUri?: string
  /** Put `sid` in ID tokens and logout tokens (`backchannel_logout_session_required`). */
  backchannelLogoutSessionRequired?: boolean
}

/** Token lifetimes in seconds; adjustable at run time with `DevIdp.setTtl`. */
export interface DevIdpTtl {
  idTokenTtlSec: number
  accessTokenTtlSec: number
  refreshTokenTtlSec: number
}

/** Options of `startDevIdp`; every field is optional. */
export interface DevIdpOptions {
  /** TCP port; 0 (the default) lets the OS choose. */
  port?: number
  /** Listen address and issuer host; 127.0.0.1 unless set. */
  host?: string
  users?: DevUser[]
  clients?: DevClient[]
  idTokenTtlSec?: number
  accessTokenTtlSec?: number
  refreshTokenTtlSec?: number
  /** Path under which the provider is mounted, e.g. `/realms/demo`; the issuer ends with it. Empty by default. */
  issuerPath?: string
  /** List the demo users and their passwords on the login page. Off by default. */
  showUsers?: boolean
  /**
   * Issue access tokens as signed JWTs (RFC 9068, through oidc-provider's resource indicators) with this `aud` and the
   * users' `accessTokenClaims`, as Keycloak does. Such tokens are not accepted by this IdP's userinfo endpoint
   * (an oidc-provider rule for audience-bound tokens), so request every claim the ID token must carry.
   */
  jwtAccessTokens?: { audience: string }
  /**
   * Act as the OAuth2 authorization server of providers without OpenID Connect (GitHub, Bitbucket, …): their scopes
   * give opaque access tokens for one API resource, which the API stand-ins check through token introspection (RFC 7662,
   * always on for confidential clients; src/dev/idp-plain-oauth2.ts). Off by default; not with `jwtAccessTokens`.
   */
  plainOAuth2?: boolean
  /**
   * Behave like Azure AD v1 endpoints: accept (record, then ignore) the `resource` parameter of authorization and token
   * requests, and add `expires_on` (epoch seconds, as a string) to token responses next to `expires_in`.
   */
  azureV1?: boolean
  /**
   * Behave like ADFS: take the `<resource>/` prefix off scope values and decode `state` once more on the way back
   * (oauth2-proxy's adfs provider escapes it once more for that reason).
   */
  adfs?: boolean
}

/** Request counters, for assertions such as "20 concurrent requests cause exactly one refresh grant". */
export interface DevIdpStats {
  /** Token endpoint requests by `grant_type`, successful or not (`unknown` when absent). */
  tokenGrants: Record<string, number>
  /** Token endpoint requests that failed, by `grant_type`. */
  tokenGrantErrors: Record<string, number>
  userinfoCalls: number
  /** Token introspection requests (RFC 7662), answered or refused. */
  introspectionCalls: number
  jwksCalls: number
  discoveryCalls: number
  authorizationRequests: number
  /** Successful password logins through the login form. */
  logins: number
  /** Failed password logins through the login form. */
  failedLogins: number
  endSessionCalls: number
}

/** How `rotateKeys` treats the keys it replaces. */
export interface RotateKeysOptions {
  /** Keep the previous keys in the JWKS (verification only) so tokens signed before still verify. Default true. */
  keepPrevious?: boolean
}

/** A running development IdP. */
export interface DevIdp {
  /** The issuer identifier, e.g. `http://127.0.0.1:41234` (plus `issuerPath`). */
  issuer: string
  port: number
  /** The live user list: users pushed here can log in (their extra claim names must be known at start). */
  users: DevUser[]
  /** The clients as registered at start (changing them has no effect). */
  clients: DevClient[]
  stats: DevIdpStats
  /** Authorization and token requests as received, oldest first (token secrets redacted); tests may clear it. */
  requests: RecordedRequest[]
  /** Failures to inject: the endpoint answers 500 (`error`) or never answers (`hang`) until cleared. */
  faults: { token?: 'error' | 'hang'; userinfo?: 'error' | 'hang'; introspection?: 'error' | 'hang' }
  /** Key ids currently used for signing, by algorithm. */
  readonly activeKeyIds: { RS256: string; ES256: string }
  /** Key ids published in the JWKS, in order. */
  readonly publishedKeyIds: string[]
  /** Changes token lifetimes for tokens issued from now on. */
  setTtl(ttl: Partial<DevIdpTtl>): void
  /** Current token lifetimes. */
  getTtl(): DevIdpTtl
  /** Registers (or with undefined, removes) the back-channel logout URI of a client, e.g. once a proxy's port is known. */
  setBackchannelLogout(clientId: string, uri: string | undefined, sessionRequired?: boolean): void
  /** Swaps in new RS256 and ES256 signing keys. */
  rotateKeys(options?: RotateKeysOptions): Promise<void>
  /** Signs arbitrary claims with the active key (iss and iat filled in, exp from `expiresInSec` unless given). */
  signJwt(claims: Record<string, unknown>, options?: { alg?: 'RS256' | 'ES256'; expiresInSec?: number }): Promise<string>
  /** Zeroes every counter in `stats`. */
  resetStats(): void
  close(): Promise<void>
}
