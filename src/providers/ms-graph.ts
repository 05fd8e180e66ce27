import { ProxyError } from '../errors.js'

/** Microsoft Graph's public endpoint; tests point gatehouse elsewhere with GATEHOUSE_TEST_MS_GRAPH_URL. */
export const MS_GRAPH_URL = 'https://graph.microsoft.com'

/** Bound on the pages followed, so a misbehaving server cannot keep a sign-in waiting forever. */
const MAX_PAGES = 100

/**
 * The IDs of every group the signed-in user belongs to, directly or through nested groups:
 * `GET /v1.0/me/transitiveMemberOf?$select=id&$top=100` with the user's access token, following `@odata.nextLink`
 * (https://learn.microsoft.com/en-us/graph/api/user-list-transitivememberof, https://learn.microsoft.com/en-us/graph/paging),
 * exactly the request oauth2-proxy's entra-id provider sends. Next links leading away from the Graph origin are not
 * followed: the access token only ever goes to `graphUrl`.
 */
export async function fetchTransitiveGroupIds(input: { fetch: typeof fetch; graphUrl: string; accessToken: string }): Promise<string[]> {
  const base = new URL(input.graphUrl)
  let next: string | undefined = new URL('/v1.0/me/transitiveMemberOf?$select=id&$top=100', base).toString()
  const ids: string[] = []
  for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
    let response: Response
    try {
      response = await input.fetch(next, {
        headers: { authorization: `Bearer ${input.accessToken}`, accept: 'application/json', consistencylevel: 'eventual' },
        redirect: 'error',
      })
    } catch (err) {
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Microsoft Graph transitiveMemberOf request failed: ${(err as Error).message}`, { cause: err })
    }
    const body = (await response.json().catch(() => undefined)) as { value?: unknown; '@odata.nextLink'?: unknown; error?: { code?: unknown } } | undefined
    if (!response.ok || body === undefined) {
      const code = typeof body?.error?.code === 'string' ? ` (${body.error.code})` : ''
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Microsoft Graph transitiveMemberOf answered ${response.status}${code}`)
    }
    for (const entry of Array.isArray(body.value) ? body.value : []) {
      const id = (entry as { id?: unknown } | null)?.id
      if (typeof id === 'string' && id !== '') ids.push(id)
    }
    const link = body['@odata.nextLink']
    next = undefined
    if (typeof link === 'string' && link !== '') {
      const url = new URL(link, base)
      if (url.origin !== base.origin) throw new ProxyError('ERR_OIDC_CLAIMS', 502, 'Microsoft Graph sent a next link to another origin; not followed')
      next = url.toString()
    }
  }
  return ids
}
