import { ProxyError } from '../errors.js'
import { formatProviderError } from './provider-error.js'

/** Microsoft Graph's public endpoint; tests point gatehouse elsewhere with GATEHOUSE_TEST_MS_GRAPH_URL. */
export const MS_GRAPH_URL = 'https://graph.microsoft.com'

/** Bound on the pages followed, so a misbehaving server cannot keep a sign-in waiting forever. */
const MAX_PAGES = 100

interface GraphInput {
  fetch: typeof fetch
  graphUrl: string
  accessToken: string
}

/** One Graph GET with the user's token; errors name the call (`what`) and never carry the token. */
async function graphGet(input: GraphInput, url: string, what: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  let response: Response
  try {
    response = await input.fetch(url, { headers: { authorization: `Bearer ${input.accessToken}`, accept: 'application/json', ...headers }, redirect: 'error' })
  } catch (err) {
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Microsoft Graph ${what} request failed: ${(err as Error).message}`, { cause: err })
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (!response.ok || body === undefined || body === null || typeof body !== 'object') {
    // Graph's error body: { error: { code, message } }, cleaned and bounded like an OAuth error.
    const error = body?.['error'] as { code?: unknown; message?: unknown } | undefined
    const said = formatProviderError({ ...(typeof error?.code === 'string' ? { error: error.code } : {}), ...(typeof error?.message === 'string' ? { description: error.message } : {}) })
    const code = said === '' ? '' : ` (${said.replace(/^answered /, '')})`
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Microsoft Graph ${what} answered ${response.status}${code}`)
  }
  return body
}

/** Every `value` entry of a paged Graph collection, following `@odata.nextLink` on the Graph origin only. */
async function collectPages(input: GraphInput, first: string, what: string): Promise<unknown[]> {
  const base = new URL(input.graphUrl)
  let next: string | undefined = first
  const entries: unknown[] = []
  for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
    const body = await graphGet(input, next, what, { consistencylevel: 'eventual' })
    if (Array.isArray(body['value'])) entries.push(...(body['value'] as unknown[]))
    const link = body['@odata.nextLink']
    next = undefined
    if (typeof link === 'string' && link !== '') {
      const url = new URL(link, base)
      if (url.origin !== base.origin) throw new ProxyError('ERR_OIDC_CLAIMS', 502, 'Microsoft Graph sent a next link to another origin; not followed')
      next = url.toString()
    }
  }
  return entries
}

/**
 * The IDs of every group the signed-in user belongs to, directly or through nested groups:
 * `GET /v1.0/me/transitiveMemberOf?$select=id&$top=100` with the user's access token, following `@odata.nextLink`
 * (https://learn.microsoft.com/en-us/graph/api/user-list-transitivememberof, https://learn.microsoft.com/en-us/graph/paging),
 * exactly the request oauth2-proxy's entra-id provider sends. Next links leading away from the Graph origin are not
 * followed: the access token only ever goes to `graphUrl`.
 */
export async function fetchTransitiveGroupIds(input: GraphInput): Promise<string[]> {
  const first = new URL('/v1.0/me/transitiveMemberOf?$select=id&$top=100', input.graphUrl).toString()
  return fieldValues(await collectPages(input, first, 'transitiveMemberOf'), 'id')
}

/**
 * The user's security groups as oauth2-proxy's azure provider reads them on the v2.0 endpoint:
 * `GET /v1.0/me/transitiveMemberOf?$count=true&$filter=securityEnabled+eq+true&$select=displayName,id[,<field>]`
 * (an advanced query, hence `$count` and `ConsistencyLevel: eventual`), each group named by `field`.
 */
export async function fetchSecurityGroups(input: GraphInput & { field: string }): Promise<string[]> {
  const select = input.field === 'id' || input.field === 'displayName' ? 'displayName,id' : `displayName,id,${input.field}`
  const first = new URL(`/v1.0/me/transitiveMemberOf?$count=true&$filter=securityEnabled+eq+true&$select=${select}`, input.graphUrl).toString()
  return fieldValues(await collectPages(input, first, 'transitiveMemberOf'), input.field)
}

/**
 * The user's email from a Graph user object (`GET /v1.0/me`, https://learn.microsoft.com/en-us/graph/api/user-get):
 * `mail`, else the first of `otherMails`, else `userPrincipalName`, in oauth2-proxy's azure order.
 */
export async function fetchGraphEmail(input: { fetch: typeof fetch; profileUrl: string; accessToken: string }): Promise<string | undefined> {
  const me = await graphGet({ fetch: input.fetch, graphUrl: input.profileUrl, accessToken: input.accessToken }, input.profileUrl, 'profile (/me)')
  const others = me['otherMails']
  for (const value of [me['mail'], Array.isArray(others) ? others[0] : undefined, me['userPrincipalName']]) {
    if (typeof value === 'string' && value !== '') return value
  }
  return undefined
}

function fieldValues(entries: readonly unknown[], field: string): string[] {
  const out: string[] = []
  for (const entry of entries) {
    const value = (entry as Record<string, unknown> | null)?.[field]
    if (typeof value === 'string' && value !== '') out.push(value)
  }
  return out
}
