// "Plain OAuth2" mode of the development IdP (DevIdpOptions.plainOAuth2), off by default. It lets the IdP play the
// authorization server of OAuth2-only providers (GitHub, Bitbucket, …) in tests: requests without `openid` that ask for
// those providers' scopes (`user:email`, `read:org`, …) get an opaque access token for one API resource, and the API
// stand-ins find out whom a token belongs to through token introspection (RFC 7662, always on: idp-config.ts), as the
// real APIs do internally.
// Development and tests only.
import type { KoaContextWithOIDC } from 'oidc-provider'

/** The resource (API) every plain OAuth2 access token is issued for. */
const PLAIN_API_RESOURCE = 'urn:gatehouse:dev-idp:provider-api'

/** The default scopes of oauth2-proxy's plain OAuth2 providers (reference §6.1), granted for the API resource. */
export const PLAIN_OAUTH2_SCOPES = [
  'user:email', 'read:org', // github
  'api', // keycloak (legacy)
  'email', 'team', 'repository', 'account', // bitbucket
  'read', // digitalocean
  'public_profile', // facebook
  'r_emailaddress', 'r_liteprofile', // linkedin
  'meta.sr.ht/PROFILE:RO', // sourcehut
]

/** oidc-provider features of the plain OAuth2 mode: resource indicators (opaque tokens for the API resource). */
export function plainOAuth2Features(): { resourceIndicators: Record<string, unknown> } {
  return {
    resourceIndicators: {
      enabled: true,
      // Requests with `openid` stay OpenID Connect (userinfo tokens), so the mode also serves the legacy keycloak provider.
      defaultResource: async (ctx: KoaContextWithOIDC) => (String(ctx.oidc?.params?.['scope'] ?? '').split(' ').includes('openid') ? undefined : PLAIN_API_RESOURCE),
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({ scope: PLAIN_OAUTH2_SCOPES.join(' '), accessTokenFormat: 'opaque' }),
    },
  }
}
