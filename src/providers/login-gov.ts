import { createPrivateKey, randomInt, webcrypto } from 'node:crypto'
import { ProxyError } from '../errors.js'
import type { Session } from '../session/session.js'
import { claimToString } from './claims.js'
import { createOidcProvider, type AssertionKey, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'
import { bearerJson } from './rest-identities.js'
import { validationProblem } from './validate-url.js'

export interface LoginGovOptions {
  /** The RSA private key (PEM, PKCS#1 or PKCS#8) from `--jwt-key` or `--jwt-key-file`. */
  jwtKeyPem: string
  /** `--pubjwk-url`: the key set that verifies ID tokens. */
  pubjwkUrl: string
  /** `--scope` as configured; empty uses login.gov's default `email openid`. */
  scope: string
  /** `--validate-url`; empty validates against the profile URL. */
  validateUrl: string
}

const ORIGIN = 'https://secure.login.gov'
/** oauth2-proxy's login.gov default when no `acr_values` is configured: identity assurance level 1. */
export const LOGIN_GOV_DEFAULT_ACR = 'http://idmanagement.gov/ns/assurance/loa/1'
/** Lifetime of the client assertion, as oauth2-proxy signs it. */
const ASSERTION_LIFETIME_SEC = 300
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** oauth2-proxy's login.gov nonce: 32 random letters, drawn once per process and sent with every login. */
export function processNonce(): string {
  let out = ''
  for (let i = 0; i < 32; i++) out += LETTERS[randomInt(LETTERS.length)]
  return out
}

async function importRs256(pem: string): Promise<AssertionKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' })
  return (await webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign'])) as unknown as AssertionKey
}

/**
 * `--provider=login.gov`: login.gov's OpenID Connect without discovery. The client authenticates with
 * `private_key_jwt` (RS256, iss = sub = client ID, aud = the token URL, five minutes), every login carries
 * the process's nonce and `acr_values` (identity assurance level 1 unless `--acr-values`), the ID token is verified
 * with `--pubjwk-url` and must carry that nonce, and the email comes from userinfo and must be verified.
 * Sessions are not refreshed (oauth2-proxy keeps no refresh token for login.gov).
 */
export function createLoginGovProvider(options: OidcProviderOptions, loginGov: LoginGovOptions): Provider {
  const redeemUrl = options.redeemUrl !== '' ? options.redeemUrl : `${ORIGIN}/api/openid_connect/token`
  const profileUrl = options.profileUrl !== '' ? options.profileUrl : `${ORIGIN}/api/openid_connect/userinfo`
  const validateUrl = loginGov.validateUrl !== '' ? loginGov.validateUrl : profileUrl
  let key: Promise<AssertionKey> | undefined
  return createOidcProvider({
    ...options,
    name: 'login.gov',
    // No discovery: login.gov's fixed endpoints, and its issuer unless --oidc-issuer-url names another.
    skipDiscovery: true,
    issuerUrl: options.issuerUrl !== '' ? options.issuerUrl : `${ORIGIN}/`,
    loginUrl: options.loginUrl !== '' ? options.loginUrl : `${ORIGIN}/openid_connect/authorize`,
    redeemUrl,
    profileUrl,
    jwksUrl: loginGov.pubjwkUrl,
    scope: loginGov.scope !== '' ? loginGov.scope : 'email openid',
    // oauth2-proxy's login.gov GetLoginURL: identity assurance level 1 unless the configuration sends acr_values.
    defaultLoginParams: { acr_values: LOGIN_GOV_DEFAULT_ACR },
    clientSecret: undefined,
    privateKeyJwt: { key: () => (key ??= importRs256(loginGov.jwtKeyPem)), audience: redeemUrl, lifetimeSec: ASSERTION_LIFETIME_SEC },
    fixedNonce: processNonce(),
    // The email is login.gov's userinfo answer alone (fallbackEmail below), never a token claim: no claim is named ''.
    emailClaim: '',
    skipClaimsFromProfileUrl: true,
    hooks: {
      fallbackEmail: ({ accessToken }) => verifiedEmailFromUserinfo(options.fetch, profileUrl, accessToken),
      validate: ({ accessToken }) => validationProblem({ fetch: options.fetch, validateUrl, accessToken, headers: bearerJson, provider: 'login.gov' }),
      async enrich(session: Session) {
        // oauth2-proxy's login.gov session holds the tokens and the email only: no user, no refresh.
        const { user: _user, preferredUsername: _pu, refreshToken: _rt, groups: _groups, ...rest } = session
        return rest
      },
    },
  })
}

/** oauth2-proxy's emailFromUserInfo: the userinfo `email`, which must be there and have `email_verified: true`. */
async function verifiedEmailFromUserinfo(fetchFn: typeof fetch, url: string, accessToken: string | undefined): Promise<string | undefined> {
  if (accessToken === undefined) return undefined
  let body: Record<string, unknown> | undefined
  try {
    const response = await fetchFn(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, redirect: 'error' })
    body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
    if (!response.ok || body === undefined || body === null) throw new Error(`answered ${response.status}`)
  } catch (err) {
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `login.gov: userinfo request failed: ${(err as Error).message}`, { cause: err })
  }
  const email = claimToString(body['email'])
  if (email === undefined) throw new ProxyError('ERR_OIDC_CLAIMS', 500, 'login.gov: userinfo has no email')
  if (body['email_verified'] !== true) {
    throw new ProxyError('ERR_OIDC_CLAIMS', 403, `email ${email} not listed as verified`, { userMessage: 'Your email address is not verified by the identity provider.' })
  }
  return email
}
