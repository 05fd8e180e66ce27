import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { ProxyError } from '../errors.js'

/** The fields of a Google service-account key file (`--google-service-account-json`) that the JWT-bearer grant uses. */
export interface ServiceAccountKey {
  clientEmail: string
  privateKey: KeyObject
  privateKeyId: string | undefined
  /** Where assertions are exchanged for access tokens (https://oauth2.googleapis.com/token in Google's files). */
  tokenUri: string
}

/** Google's token endpoint, used when a key file names none (as Google's client libraries do). */
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token'

/** Lifetime of an assertion; Google accepts at most one hour. */
const ASSERTION_TTL_SEC = 3600

/**
 * Reads a service-account key file's JSON: `type` must be `service_account`, and `client_email` and `private_key`
 * (PEM) must be there. Returns a reason instead of throwing, so config checks can name the option.
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey | string {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return 'is not JSON; download the key of the service account from the Google Cloud console (Keys, Add key, JSON)'
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'is not a JSON object'
  const o = json as Record<string, unknown>
  if (o['type'] !== 'service_account') return `has type ${JSON.stringify(o['type'] ?? null)}, expected "service_account"`
  if (typeof o['client_email'] !== 'string' || o['client_email'] === '') return 'has no client_email'
  if (typeof o['private_key'] !== 'string' || o['private_key'] === '') return 'has no private_key'
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(o['private_key'])
  } catch {
    return 'has a private_key that is not a PEM private key'
  }
  if (privateKey.asymmetricKeyType !== 'rsa') return 'has a private_key that is not an RSA key'
  const tokenUri = typeof o['token_uri'] === 'string' && o['token_uri'] !== '' ? o['token_uri'] : DEFAULT_TOKEN_URI
  if (!URL.canParse(tokenUri)) return 'has a token_uri that is not a URL'
  return {
    clientEmail: o['client_email'],
    privateKey,
    privateKeyId: typeof o['private_key_id'] === 'string' && o['private_key_id'] !== '' ? o['private_key_id'] : undefined,
    tokenUri,
  }
}

/**
 * The RS256 assertion of the JWT-bearer grant (RFC 7523) as Google defines it for domain-wide delegation: issued by the
 * service account, for the token URI, with the scopes asked for and `sub` the user acted as
 * (https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests).
 */
export function serviceAccountAssertion(key: ServiceAccountKey, scope: string, subject: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000)
  const header = { alg: 'RS256', typ: 'JWT', ...(key.privateKeyId === undefined ? {} : { kid: key.privateKeyId }) }
  const claims = { iss: key.clientEmail, scope, aud: key.tokenUri, iat, exp: iat + ASSERTION_TTL_SEC, ...(subject === '' ? {} : { sub: subject }) }
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`
}

/** The outcome of one JWT-bearer grant: a token, or the OAuth error Google answered with. */
export type ServiceAccountToken = { kind: 'token'; accessToken: string; expiresAtMs: number } | { kind: 'refused'; error: string; description: string }

/** Exchanges an assertion at the key's token URI; transport failures and non-OAuth answers leave as ProxyError 502. */
export function fetchServiceAccountToken(input: { fetch: typeof fetch; key: ServiceAccountKey; scope: string; subject: string; nowMs: number }): Promise<ServiceAccountToken> {
  const assertion = serviceAccountAssertion(input.key, input.scope, input.subject, input.nowMs)
  return exchangeAssertion({ fetch: input.fetch, tokenUri: input.key.tokenUri, assertion, nowMs: input.nowMs })
}

/** The JWT-bearer grant (RFC 7523) of a signed assertion at Google's token endpoint, however the assertion was signed. */
export async function exchangeAssertion(input: { fetch: typeof fetch; tokenUri: string; assertion: string; nowMs: number }): Promise<ServiceAccountToken> {
  const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: input.assertion })
  let response: Response
  try {
    response = await input.fetch(input.tokenUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, redirect: 'error' })
  } catch (err) {
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Google service-account token request to ${input.tokenUri} failed: ${(err as Error).message}`, { cause: err })
  }
  const json = (await response.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined
  if (response.ok && typeof json?.access_token === 'string' && json.access_token !== '') {
    const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 3600
    return { kind: 'token', accessToken: json.access_token, expiresAtMs: input.nowMs + expiresIn * 1000 }
  }
  if (response.status >= 400 && response.status < 500 && typeof json?.error === 'string') {
    return { kind: 'refused', error: json.error, description: typeof json.error_description === 'string' ? json.error_description : '' }
  }
  throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Google service-account token request to ${input.tokenUri} answered ${response.status}`)
}

/** Gets an access token for `scope` acting as `subject`: from a key file, or through impersonation (google-adc.ts). */
export type GoogleTokenSource = (scope: string, subject: string, nowMs: number) => Promise<ServiceAccountToken>

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}
