// The options and hooks of the generic OpenID Connect provider (oidc.ts), which the named providers fill in.
import type * as oidc from 'openid-client'
import type { KeyObject } from 'node:crypto'
import type { Session } from '../session/session.js'

/** What a hook may use: the verified ID token claims and the provider's own JWT verifier (keys, issuer, audience). */
export interface OidcHookContext {
  /** Claims of the ID token just verified; on a refresh without a new ID token, the stored one's payload. */
  idClaims: Readonly<Record<string, unknown>>
  /** Verifies a JWT as this provider verifies ID tokens (signature, issuer, audience, expiry) and returns its claims. */
  verifyJwt(token: string): Promise<Record<string, unknown>>
  phase: 'redeem' | 'refresh'
  /** On refresh, the session as it was before the refresh (a new ID token replaces its user and groups). */
  previous?: Session
  /** The session's current access token, when the IdP sent one. */
  accessToken?: string | undefined
  /** The userinfo (profile URL) answer for that access token; undefined without endpoint or token. Fails as 502. */
  userinfo(): Promise<Record<string, unknown> | undefined>
}

/** How a named provider (keycloak-oidc, entra-id) extends the generic OIDC flow; every hook is optional. */
export interface OidcHooks {
  /** Expected `iss` of a token, from the discovered issuer and the token's claims; default: the configured issuer URL. */
  expectedIssuer?(discoveredIssuer: string, claims: Readonly<Record<string, unknown>>): string
  /** oauth2-proxy's `ValidateSession` extras: a reason to refuse the session, or undefined to keep it. */
  validate?(context: OidcHookContext): string | undefined | Promise<string | undefined>
  /** oauth2-proxy's `EnrichSession`: adds groups/roles from other sources; throwing fails the sign-in. */
  enrich?(session: Session, context: OidcHookContext): Promise<Session>
  /** Changes the authorization request's parameters before they are encoded (sorted by key, as Go does). */
  authorizationParams?(params: Record<string, string>): Record<string, string>
  /** Extra form parameters of the code exchange (Azure v1's `resource`). */
  tokenParams?: Readonly<Record<string, string>>
  /** The access token's expiry from a token response, for IdPs that send more than `expires_in` (Azure v1's `expires_on`). */
  expiresOn?(tokens: Readonly<Record<string, unknown>>, now: number): Date | undefined
  /** An email when neither the ID token nor the profile URL has one (ADFS `upn`, Azure's Graph `/me`); undefined refuses. */
  fallbackEmail?(input: { claims: Readonly<Record<string, unknown>>; accessToken: string | undefined; lookup(name: string): Promise<unknown> }): Promise<string | undefined>
}

export interface OidcProviderOptions {
  displayName: string
  issuerUrl: string
  clientId: string
  clientSecret: string | undefined
  skipDiscovery: boolean
  loginUrl: string
  redeemUrl: string
  profileUrl: string
  jwksUrl: string
  /** `--oidc-public-key-file` keys: with `skipDiscovery` they verify ID tokens instead of a JWKS, as in oauth2-proxy. */
  publicKeys?: readonly KeyObject[]
  scope: string
  responseMode: string
  emailClaim: string
  groupsClaim: string
  audienceClaims: readonly string[]
  extraAudiences: readonly string[]
  enabledSigningAlgs: readonly string[]
  allowUnverifiedEmail: boolean
  skipClaimsFromProfileUrl: boolean
  /** `providers[].additionalClaims`: claims kept in the session (`ac`) at sign-in, for headers and `/oauth2/userinfo`. */
  additionalClaims?: readonly string[]
  /** Login URL parameters sent when the configured ones have none of that name (login.gov's `acr_values`). */
  defaultLoginParams?: Readonly<Record<string, string>>
  /** Login URL parameters never sent (ADFS `skipScope` drops `scope`). */
  omitLoginParams?: readonly string[]
  /** `--introspection-url`: the RFC 7662 endpoint instead of discovery's `introspection_endpoint`; empty for none. */
  introspectionUrl?: string
  fetch: typeof fetch
  timeoutMs: number
  /** `private_key_jwt` client authentication (login.gov): the RS256 key, the assertion's `aud` and its lifetime. */
  privateKeyJwt?: { key: () => Promise<AssertionKey>; audience: string; lifetimeSec: number }
  /**
   * A client assertion obtained elsewhere (Entra ID workload identity: the federated token file), asked for at every
   * token request and sent as `client_assertion` (RFC 7523 jwt-bearer) instead of a secret.
   */
  clientAssertion?: () => string
  /** One nonce for every login, sent as is and required in the ID token (login.gov's per-process nonce). */
  fixedNonce?: string
  /** Never send or check a nonce, whatever the login flow asks (oauth2-proxy's adfs and cidaas set SkipNonce). */
  skipNonce?: boolean
  /** Send the client secret in the form only (client_secret_post) instead of trying HTTP Basic first. */
  clientSecretPost?: boolean
  /** The provider type reported as `Provider.name`; `oidc` unless a named provider composes this one. */
  name?: string
  hooks?: OidcHooks
}

/** The private key type openid-client signs client assertions with (a WebCrypto key). */
export type AssertionKey = Parameters<typeof oidc.PrivateKeyJwt>[0]
