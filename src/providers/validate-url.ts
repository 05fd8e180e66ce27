import { ProxyError } from '../errors.js'
import { callApi } from './api-call.js'

/** How an access token goes to the validate URL: in these headers, or (undefined) as the `access_token` query parameter. */
export type ValidateHeaders = (accessToken: string) => Record<string, string> | undefined

/** What the validate URL said about an access token: accepted, or refused with the reason. */
export type TokenValidation = { valid: true } | { valid: false; reason: string }

export interface ValidateTokenInput {
  fetch: typeof fetch
  /** `--validate-url` (or the provider's default); empty means no token can be validated. */
  validateUrl: string
  accessToken: string | undefined
  headers: ValidateHeaders
  /** Names the provider in errors, e.g. "GitHub". */
  provider: string
}

/**
 * oauth2-proxy's validateToken, the one rule for every provider: GET the validate URL with the token (in the
 * headers, or appended to the query as `access_token`); 200 accepts it and another answer below 500 refuses it.
 * Unlike oauth2-proxy, which refuses the token on any failure, a 5xx or no answer is the provider failing, not
 * the user: a 502 naming the call, so an outage neither ends sessions nor reads as a refused sign-in.
 */
export async function validateToken(input: ValidateTokenInput): Promise<TokenValidation> {
  const { accessToken, validateUrl } = input
  if (accessToken === undefined || accessToken === '') return { valid: false, reason: 'no access token' }
  if (validateUrl === '') return { valid: false, reason: 'no validate URL' }
  const headers = input.headers(accessToken)
  const url = headers === undefined ? `${validateUrl}${validateUrl.includes('?') ? '&' : '?'}${new URLSearchParams({ access_token: accessToken }).toString()}` : validateUrl
  const call = `${input.provider} token validation (--validate-url)`
  const answer = await callApi({ fetch: input.fetch, url, call, ...(headers === undefined ? {} : { headers }) })
  if (answer.status === 200) return { valid: true }
  if (answer.status >= 500) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${call} answered ${answer.status}`)
  return { valid: false, reason: `the validate URL answered ${answer.status}` }
}

/** The token in the query only, as oauth2-proxy's Google provider sends it. */
export const queryOnly: ValidateHeaders = () => undefined

/** For OIDC provider hooks: undefined when the token is accepted, else why not. */
export async function validationProblem(input: ValidateTokenInput): Promise<string | undefined> {
  const result = await validateToken(input)
  return result.valid ? undefined : result.reason
}
