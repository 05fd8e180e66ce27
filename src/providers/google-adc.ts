import { readFileSync } from 'node:fs'
import { ProxyError } from '../errors.js'
import { exchangeAssertion, fetchServiceAccountToken, parseServiceAccountKey, type GoogleTokenSource, type ServiceAccountKey } from './google-service-account.js'

/** Google's variable naming the metadata server (host[:port]); its client libraries default to 169.254.169.254. */
export const METADATA_HOST_ENV = 'GCE_METADATA_HOST'
/** Google's variable naming a credentials file; checked before the metadata server, as FindDefaultCredentials does. */
export const CREDENTIALS_FILE_ENV = 'GOOGLE_APPLICATION_CREDENTIALS'
/** Internal, for tests only: the base URL used instead of https://iamcredentials.googleapis.com. Not a flag. */
export const GOOGLE_IAM_URL_ENV = 'GATEHOUSE_TEST_GOOGLE_IAM_URL'
/** Internal, for tests only: the token endpoint used instead of https://oauth2.googleapis.com/token. Not a flag. */
export const GOOGLE_TOKEN_URL_ENV = 'GATEHOUSE_TEST_GOOGLE_TOKEN_URL'

const IAM_CREDENTIALS_URL = 'https://iamcredentials.googleapis.com'
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform'
const ASSERTION_TTL_SEC = 3600

export interface AdcOptions {
  fetch: typeof fetch
  env: Readonly<Record<string, string | undefined>>
  /** `--google-target-principal`; empty: the credentials file's client_email, else the metadata server's account. */
  targetPrincipal: string
  clock: () => number
  timeoutMs: number
}

/**
 * Application Default Credentials impersonating a service account, as oauth2-proxy's impersonate.CredentialsTokenSource
 * with a Subject: the ADC token (a service-account file named by GOOGLE_APPLICATION_CREDENTIALS, or the metadata server,
 * e.g. GKE Workload Identity) signs the delegation assertion through IAM Credentials `signJwt`
 * (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/signJwt), which is then
 * exchanged at Google's token endpoint like a key file's.
 */
export function createAdcTokenSource(options: AdcOptions): GoogleTokenSource {
  const metadataBase = `http://${options.env[METADATA_HOST_ENV] ?? '169.254.169.254'}/computeMetadata/v1/instance/service-accounts/default`
  const iamUrl = options.env[GOOGLE_IAM_URL_ENV] ?? IAM_CREDENTIALS_URL
  const tokenUrl = options.env[GOOGLE_TOKEN_URL_ENV] ?? GOOGLE_TOKEN_URL
  const file = options.env[CREDENTIALS_FILE_ENV] ?? ''
  let key: ServiceAccountKey | undefined
  if (file !== '') {
    const parsed = parseServiceAccountKey(readFileSync(file, 'utf8'))
    if (typeof parsed === 'string') throw new Error(`${CREDENTIALS_FILE_ENV} ${parsed}`)
    key = parsed
  }
  let base: { accessToken: string; expiresAtMs: number } | undefined
  let principal: Promise<string> | undefined

  async function call(what: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await options.fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) })
    } catch (err) {
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${what} failed: ${(err as Error).message}`, { cause: err })
    }
  }

  async function metadata(path: string): Promise<Response> {
    const response = await call('Google metadata server request', `${metadataBase}/${path}`, { headers: { 'metadata-flavor': 'Google' } })
    if (!response.ok) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Google metadata server answered ${response.status} for ${path}`)
    return response
  }

  async function baseToken(nowMs: number): Promise<string> {
    if (base !== undefined && base.expiresAtMs - 60_000 > nowMs) return base.accessToken
    if (key !== undefined) {
      const result = await fetchServiceAccountToken({ fetch: options.fetch, key, scope: CLOUD_PLATFORM, subject: '', nowMs })
      if (result.kind === 'refused') throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Application Default Credentials refused: ${result.error}`)
      base = result
      return result.accessToken
    }
    const json = (await (await metadata('token')).json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown } | undefined
    if (typeof json?.access_token !== 'string' || json.access_token === '') throw new ProxyError('ERR_OIDC_CLAIMS', 502, 'Google metadata server sent no access_token')
    base = { accessToken: json.access_token, expiresAtMs: nowMs + (typeof json.expires_in === 'number' ? json.expires_in : 300) * 1000 }
    return base.accessToken
  }

  function targetPrincipal(): Promise<string> {
    if (options.targetPrincipal !== '') return Promise.resolve(options.targetPrincipal)
    if (key !== undefined) return Promise.resolve(key.clientEmail)
    principal ??= metadata('email').then(
      async (r) => (await r.text()).trim(),
      (err: unknown) => {
        principal = undefined
        throw err
      },
    )
    return principal
  }

  return async (scope, subject, nowMs) => {
    const target = await targetPrincipal()
    const iat = Math.floor(nowMs / 1000)
    const payload = JSON.stringify({ iss: target, scope, sub: subject, aud: tokenUrl, iat, exp: iat + ASSERTION_TTL_SEC })
    const url = `${iamUrl}/v1/projects/-/serviceAccounts/${encodeURIComponent(target)}:signJwt`
    const response = await call('IAM Credentials signJwt', url, {
      method: 'POST',
      headers: { authorization: `Bearer ${await baseToken(nowMs)}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ payload }),
    })
    const json = (await response.json().catch(() => undefined)) as { signedJwt?: unknown; error?: { message?: unknown } } | undefined
    if (response.status === 401) base = undefined
    if (!response.ok || typeof json?.signedJwt !== 'string') {
      const detail = typeof json?.error?.message === 'string' ? ` (${json.error.message})` : ''
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `IAM Credentials signJwt for ${target} answered ${response.status}${detail}`)
    }
    return exchangeAssertion({ fetch: options.fetch, tokenUri: tokenUrl, assertion: json.signedJwt, nowMs })
  }
}
