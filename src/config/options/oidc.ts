import { defineOptions } from '../define.js'
import { httpUrlProblem } from '../formats.js'

const o = defineOptions('oidc')

/** JWS algorithms oauth2-proxy lets --oidc-enabled-signing-alg name. */
export const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'HS256', 'HS384', 'HS512', 'EdDSA'] as const

function signingAlgProblem(value: string): string | undefined {
  return (SIGNING_ALGS as readonly string[]).includes(value) ? undefined : `unknown signing algorithm; use one of: ${SIGNING_ALGS.join(', ')}`
}

function extraIssuerProblem(value: string): string | undefined {
  return /^[^=]+=[^=]+$/.test(value) ? undefined : 'expected issuer=audience, e.g. https://issuer.example.com=my-api'
}

/** OpenID Connect discovery, ID-token checks and claim mapping. */
export const oidcOptions = {
  oidcIssuerUrl: o.string('oidc-issuer-url', '', 'Issuer URL; its /.well-known/openid-configuration supplies the endpoints and keys.', { check: httpUrlProblem }),
  oidcRpInitiatedLogout: o.bool('oidc-rp-initiated-logout', false, 'gatehouse only: /oauth2/sign_out also ends the IdP session through the discovered end_session_endpoint, with id_token_hint and the validated rd as post_logout_redirect_uri (register it at the IdP).'),
  skipOidcDiscovery: o.bool('skip-oidc-discovery', false, 'Do not fetch discovery; then --login-url, --redeem-url and --oidc-jwks-url (or --oidc-public-key-file) are required.'),
  oidcJwksUrl: o.string('oidc-jwks-url', '', 'JWKS URL with the keys that sign ID tokens; found by discovery otherwise.', { check: httpUrlProblem }),
  oidcPublicKeyFiles: o.list('oidc-public-key-file', 'With --skip-oidc-discovery: PEM public keys (-----BEGIN PUBLIC KEY-----) that verify ID tokens and bearer JWTs instead of --oidc-jwks-url, each tried in turn; no key set is fetched. Ignored with discovery, as in oauth2-proxy.'),
  oidcEmailClaim: o.string('oidc-email-claim', 'email', 'Claim read as the email address (dotted paths reach nested claims).'),
  oidcGroupsClaim: o.string('oidc-groups-claim', 'groups', 'Claim read as the list of groups.'),
  userIdClaim: o.string('user-id-claim', 'email', 'Deprecated: when --oidc-email-claim is left at "email", a different value here replaces the email claim.'),
  oidcAudienceClaims: o.list('oidc-audience-claim', 'Claims checked for the audience, first present wins; it must hold the client ID or an extra audience.', {
    default: ['aud'],
  }),
  oidcExtraAudiences: o.list('oidc-extra-audience', 'Audiences accepted besides the client ID.'),
  oidcEnabledSigningAlgs: o.list('oidc-enabled-signing-alg', 'ID-token signing algorithms accepted (intersected with the discovered ones; default RS256).', {
    check: signingAlgProblem,
  }),
  insecureOidcAllowUnverifiedEmail: o.bool('insecure-oidc-allow-unverified-email', false, 'Accept users whose email_verified claim is false.'),
  insecureOidcSkipIssuerVerification: o.bool('insecure-oidc-skip-issuer-verification', false, 'Accept discovery documents and tokens whose issuer differs from --oidc-issuer-url.'),
  insecureOidcSkipNonce: o.bool('insecure-oidc-skip-nonce', true, 'Do not send or check the OIDC nonce (oauth2-proxy\'s default); set false to bind ID tokens to the login.'),
  skipJwtBearerTokens: o.bool('skip-jwt-bearer-tokens', false, 'Accept requests carrying a valid "Authorization: Bearer <JWT>" without a session cookie.'),
  bearerTokenLoginFallback: o.bool('bearer-token-login-fallback', true, 'With --skip-jwt-bearer-tokens: an Authorization header without a valid JWT falls back to the cookie and the login flow; false answers 403.'),
  extraJwtIssuers: o.list('extra-jwt-issuers', 'More issuer=audience pairs whose bearer JWTs are accepted (with --skip-jwt-bearer-tokens).', { check: extraIssuerProblem }),
  introspectBearerTokens: o.bool('introspect-bearer-tokens', false, 'gatehouse only: check a bearer token that is not a JWT (with --skip-jwt-bearer-tokens; every bearer token without it) at the provider\'s RFC 7662 introspection endpoint, authenticated as the client. Inactive: 401; endpoint down: 503.'),
  introspectionUrl: o.string('introspection-url', '', 'gatehouse only: the token introspection endpoint; found by discovery (introspection_endpoint) otherwise.', { check: httpUrlProblem }),
  introspectionCacheTtl: o.duration('introspection-cache-ttl', '30s', 'gatehouse only: how long an introspection answer is reused for the same token (never past its exp); 0 asks the provider on every request.'),
}
