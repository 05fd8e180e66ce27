import { defineOptions } from '../define.js'
import { httpUrlProblem } from '../formats.js'

const o = defineOptions('provider')

/** Every provider type oauth2-proxy accepts for --provider (reference §6.1). */
export const PROVIDER_TYPES = [
  'oidc',
  'keycloak-oidc',
  'keycloak',
  'entra-id',
  'azure',
  'adfs',
  'gitlab',
  'github',
  'google',
  'login.gov',
  'bitbucket',
  'cidaas',
  'digitalocean',
  'facebook',
  'linkedin',
  'nextcloud',
  'sourcehut',
] as const

function providerProblem(value: string): string | undefined {
  return (PROVIDER_TYPES as readonly string[]).includes(value) ? undefined : `unknown provider; oauth2-proxy knows: ${PROVIDER_TYPES.join(', ')}`
}

const PKCE = ['', 'S256', 'plain'] as const

/** The identity provider and the OAuth client gatehouse acts as. */
export const providerOptions = {
  provider: o.string('provider', 'google', 'Identity provider type, by oauth2-proxy\'s names; google when not given, as in oauth2-proxy. A type gatehouse does not implement yet is refused at start with the list of those it does (docs/providers has a page for each).', { check: providerProblem }),
  providerDisplayName: o.string('provider-display-name', '', 'Name shown on the sign-in button; empty uses the provider\'s own name.'),
  clientId: o.string('client-id', '', 'OAuth client ID registered at the provider (required).'),
  clientSecret: o.string('client-secret', '', 'OAuth client secret; may stay empty for a public client when --code-challenge-method is set (gatehouse allows PKCE-only clients).', {
    secret: true,
  }),
  clientSecretFile: o.string('client-secret-file', '', 'File holding the client secret, read as is (no trimming); used when --client-secret is empty.'),
  loginUrl: o.string('login-url', '', 'Authorization endpoint; found by discovery for OIDC providers, the provider\'s own default for github, bitbucket and the other plain OAuth2 providers.', { check: httpUrlProblem }),
  redeemUrl: o.string('redeem-url', '', 'Token endpoint; found by discovery for OIDC providers, the provider\'s own default for the plain OAuth2 providers.', { check: httpUrlProblem }),
  profileUrl: o.string('profile-url', '', 'Userinfo endpoint asked for claims missing from the ID token (found by discovery for OIDC providers); for keycloak, nextcloud and the other plain OAuth2 providers, the API call the identity is read from.', {
    check: httpUrlProblem,
  }),
  validateUrl: o.string('validate-url', '', 'Token validation endpoint of the non-OIDC providers (google, github, …) and of azure: called with the access token after sign-in and when --cookie-refresh is due; 200 keeps the session. google defaults to Google\'s tokeninfo, azure to its profile URL; for github it is also the API base. With the other OIDC providers it is not called: sessions are validated by verifying the ID token, as oauth2-proxy does.', {
    check: httpUrlProblem,
  }),
  resource: o.string('resource', '', 'Value of the "resource" parameter: sent to Azure AD v1 endpoints (not v2.0) by --provider=azure; ADFS prefixes its scopes with it.'),
  scope: o.string('scope', '', 'Space-separated scopes to request; empty uses "openid email profile" (plus "groups" with --allowed-group).'),
  prompt: o.string('prompt', '', 'OIDC "prompt" parameter (none, login, consent, select_account); replaces approval_prompt when set.'),
  approvalPrompt: o.string('approval-prompt', 'force', 'Legacy "approval_prompt" parameter, sent when --prompt is empty.'),
  acrValues: o.string('acr-values', '', 'OIDC "acr_values" parameter asking for an authentication context.'),
  authRequestResponseMode: o.string('auth-request-response-mode', '', 'OIDC "response_mode" parameter, e.g. form_post.'),
  codeChallengeMethod: o.choice('code-challenge-method', PKCE, '', 'Use PKCE with this method (S256 recommended, or plain); off when empty.'),
  forceCodeChallengeMethod: o.choice('force-code-challenge-method', PKCE, '', 'Deprecated spelling of --code-challenge-method.', {
    replacedBy: 'code_challenge_method',
  }),
  providerCaFiles: o.list('provider-ca-file', 'CA certificates (PEM) trusted for calls to the provider, instead of the system ones unless --use-system-trust-store.'),
  useSystemTrustStore: o.bool('use-system-trust-store', false, 'Trust the system CAs in addition to --provider-ca-file.'),
  sslInsecureSkipVerify: o.bool('ssl-insecure-skip-verify', false, 'Do not verify TLS certificates of the provider (testing only).'),
  skipClaimsFromProfileUrl: o.bool('skip-claims-from-profile-url', false, 'Never ask the userinfo endpoint for claims missing from the ID token.'),
  backendLogoutUrl: o.string('backend-logout-url', '', 'URL fetched on sign-out to end the provider session; {id_token} is replaced by the session\'s ID token.'),
  allowedGroups: o.list('allowed-group', 'Only users in at least one of these groups may pass (checked on every request).'),
  allowedRoles: o.list('allowed-role', 'keycloak-oidc only: allowed realm roles, or client roles written client:role.'),
  jwtKey: o.string('jwt-key', '', 'login.gov: RSA private key (PEM) that signs the client assertion.', { secret: true }),
  jwtKeyFile: o.string('jwt-key-file', '', 'login.gov: file holding the RSA private key.'),
  pubjwkUrl: o.string('pubjwk-url', '', 'login.gov: JWKS URL whose first key verifies ID tokens.'),
}
