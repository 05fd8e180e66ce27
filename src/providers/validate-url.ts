import { ProxyError } from '../errors.js'

/**
 * oauth2-proxy's validateToken (azure, login.gov ValidateSession): GET the validate URL with the access token as a
 * bearer; 2xx keeps the session and another 4xx refuses it (the reason is returned). A 5xx or no answer is the IdP
 * failing, not the user: 502, naming the call.
 */
export async function validateWithUrl(fetchFn: typeof fetch, url: string, accessToken: string | undefined, provider: string): Promise<string | undefined> {
  if (accessToken === undefined) return 'no access token'
  let response: Response
  try {
    response = await fetchFn(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, redirect: 'error' })
    await response.arrayBuffer()
  } catch (err) {
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${provider}: session validation request to the validate URL failed: ${(err as Error).message}`, { cause: err })
  }
  if (response.status >= 500) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${provider}: the validate URL answered ${response.status} to session validation`)
  return response.ok ? undefined : `the validate URL answered ${response.status}`
}
