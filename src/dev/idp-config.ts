// The oidc-provider configuration of the development OpenID provider: clients, claims, TTLs,
// refresh-token policy, PKCE, pages and the automatic consent. Development and tests only.
import type { Configuration, KoaContextWithOIDC, OidcAccount, OidcClient, OidcGrant } from 'oidc-provider'
import type { JWK } from 'jose'
import type { ModelAdapter } from './idp-adapter.js'
import { errorPage, logoutPage, signedOutPage } from './idp-pages.js'
import { plainOAuth2Features } from './idp-plain-oauth2.js'
import { metadataUris } from './idp-redirects.js'
import type { DevClient, DevIdpTtl, DevUser } from './idp-types.js'
import { extraClaimNames, userClaims } from './idp-users.js'

/** Everything the configuration reads; the mutable parts (users, TTLs) are read on each use. */
export interface ConfigInput {
  users: () => readonly DevUser[]
  clients: readonly DevClient[]
  ttl: () => DevIdpTtl
  keys: JWK[]
  cookieKeys: string[]
  adapter: (model: string) => ModelAdapter
  /** Path prefix of the interaction URLs, e.g. `/interaction/`. */
  interactionPrefix: string
  /** Signed JWT access tokens for this audience (DevIdpOptions.jwtAccessTokens); opaque tokens when undefined. */
  jwtAccessTokens?: { audience: string }
  /** Plain OAuth2 mode (DevIdpOptions.plainOAuth2). */
  plainOAuth2?: boolean
}

/** The one resource the IdP knows when it issues JWT access tokens. */
const DEV_RESOURCE = 'urn:gatehouse:dev-idp:api'

/** oidc-provider's resource indicators, used only to make access tokens JWTs carrying the users' access-token claims. */
function jwtAccessTokenFeatures(input: ConfigInput): { resourceIndicators: unknown } | undefined {
  const jwt = input.jwtAccessTokens
  if (jwt === undefined) return undefined
  return {
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => DEV_RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({ scope: DEV_SCOPES.join(' '), audience: jwt.audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
    },
  }
}

/** Scopes the IdP offers. */
export const DEV_SCOPES = ['openid', 'email', 'profile', 'groups', 'offline_access']

/** Client metadata in oidc-provider's (RFC 7591) shape. */
export function clientMetadata(client: DevClient): Record<string, unknown> {
  return {
    client_id: client.clientId,
    ...(client.clientSecret === undefined ? {} : { client_secret: client.clientSecret }),
    token_endpoint_auth_method: client.authMethod,
    ...(client.jwks === undefined ? {} : { jwks: client.jwks }),
    redirect_uris: metadataUris(client.redirectUris),
    post_logout_redirect_uris: metadataUris(client.postLogoutRedirectUris ?? []),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: client.idTokenSignedResponseAlg ?? 'RS256',
    ...(client.backchannelLogoutUri === undefined
      ? {}
      : { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: client.backchannelLogoutSessionRequired ?? true }),
  }
}

/** Builds the configuration object for `new Provider(issuer, configuration)`. */
export function buildConfiguration(input: ConfigInput): Configuration {
  const extra = extraClaimNames(input.users())
  const jwtAt = jwtAccessTokenFeatures(input)
  return {
    adapter: input.adapter,
    clients: input.clients.map(clientMetadata),
    jwks: { keys: input.keys },
    cookies: { keys: input.cookieKeys },
    scopes: DEV_SCOPES,
    responseTypes: ['code'],
    // Claims per scope; extra claims ride on `openid` so they are released whenever a token is.
    claims: {
      openid: ['sub', ...extra],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    // Put every granted claim in the ID token too, as Keycloak, Entra and Dex do.
    conformIdTokenClaims: false,
    allowOmittingSingleRegisteredRedirectUri: false,
    findAccount: async (_ctx: KoaContextWithOIDC, sub: string): Promise<OidcAccount | undefined> => {
      const user = input.users().find((u) => u.sub === sub)
      if (user === undefined) return undefined
      // `use` is 'id_token' or 'userinfo': userinfoClaims (e.g. cidaas's group objects) go to userinfo only.
      return { accountId: user.sub, claims: async (use: string) => (use === 'userinfo' ? { ...userClaims(user), ...user.userinfoClaims } : userClaims(user)) }
    },
    interactions: {
      url: async (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `${input.interactionPrefix}${interaction.uid}`,
    },
    loadExistingGrant,
    // A refresh token whenever offline_access is granted, and for every code grant of a confidential client.
    issueRefreshToken: async (_ctx: KoaContextWithOIDC, client: OidcClient, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || client.clientAuthMethod !== 'none'),
    rotateRefreshToken: () => true,
    // PKCE is required for public clients only; `plain` is translated to S256 first (idp-auth-request.ts).
    pkce: { required: (_ctx: KoaContextWithOIDC, client: OidcClient) => client.clientAuthMethod === 'none' },
    ttl: {
      AccessToken: () => input.ttl().accessTokenTtlSec,
      IdToken: () => input.ttl().idTokenTtlSec,
      RefreshToken: () => input.ttl().refreshTokenTtlSec,
      AuthorizationCode: () => 60,
      Interaction: () => 60 * 60,
      Session: () => 14 * 24 * 60 * 60,
      Grant: () => 14 * 24 * 60 * 60,
    },
    // The users' access-token claims: inside JWT access tokens, and in the introspection answer of opaque ones.
    extraTokenClaims: async (_ctx: KoaContextWithOIDC, token: { accountId?: string }) =>
      input.users().find((u) => u.sub === token.accountId)?.accessTokenClaims,
    features: {
      ...(jwtAt === undefined ? {} : { resourceIndicators: jwtAt.resourceIndicators }),
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          ctx.type = 'html'
          ctx.body = logoutPage(form)
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
          ctx.type = 'html'
          ctx.body = signedOutPage(ctx.oidc?.client?.clientId)
        },
      },
      userinfo: { enabled: true },
      // Only clients registered with a backchannel_logout_uri are called (DevIdp.setBackchannelLogout).
      backchannelLogout: { enabled: true },
      ...(input.plainOAuth2 === true ? plainOAuth2Features() : {}),
      // RFC 7662 for any confidential client, about any client's token (the view of a resource server): the API
      // stand-ins and gatehouse's --introspect-bearer-tokens use it.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: KoaContextWithOIDC, client: OidcClient) => client.clientAuthMethod !== 'none',
      },
      // Lets tests revoke a refresh token and watch the next refresh fail.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: KoaContextWithOIDC, client: OidcClient, token: { clientId?: string }) =>
          token.clientId === client.clientId,
      },
    },
    clientBasedCORS: () => true,
    // oidc-provider refuses outgoing calls to loopback and private addresses (SSRF protection); the proxies this IdP
    // sends back-channel logout tokens to listen on 127.0.0.1, so its own calls go out without that check.
    fetch: (url: URL | string, init: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _ignored, ...rest } = init
      return globalThis.fetch(url, rest)
    },
    renderError: async (ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) => {
      ctx.type = 'html'
      ctx.body = errorPage(out.error ?? 'server_error', out.error_description)
    },
  }
}

/**
 * Consent is automatic: the grant of this account and client is found or created and extended to
 * every requested scope, so the provider never asks for consent unless `prompt=consent` demands it.
 */
async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<OidcGrant | undefined> {
  const oidc = ctx.oidc
  const client = oidc?.client
  const accountId = oidc?.account?.accountId ?? oidc?.session?.accountId
  if (oidc === undefined || client === undefined || accountId === undefined) return undefined
  const { Grant } = oidc.provider
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId)
  const found = grantId === undefined ? undefined : await Grant.find(grantId)
  const grant =
    found !== undefined && found.accountId === accountId && found.clientId === client.clientId
      ? found
      : new Grant({ accountId, clientId: client.clientId })
  const scopes = [...(oidc.requestParamOIDCScopes ?? [])]
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '))
  await grant.save()
  return grant
}
