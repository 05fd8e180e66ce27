import { ProxyError } from '../errors.js'
import { formatProviderError } from './provider-error.js'
import type { Logger } from '../log/logger.js'
import type { GoogleTokenSource } from './google-service-account.js'

/** Base URL of Google's Admin SDK; tests point gatehouse elsewhere with GATEHOUSE_TEST_GOOGLE_ADMIN_URL. */
export const GOOGLE_ADMIN_URL = 'https://admin.googleapis.com'

const AUTH = 'https://www.googleapis.com/auth/'

/**
 * Directory scopes tried in this order until the service account's domain-wide delegation grants one, as oauth2-proxy
 * does (https://developers.google.com/admin-sdk/directory/reference/rest/v1/members/hasMember#authorization-scopes).
 */
export const GROUP_SCOPES: readonly string[] = [
  `${AUTH}admin.directory.group.member.readonly`,
  `${AUTH}admin.directory.group.readonly`,
  `${AUTH}admin.directory.group.member`,
  `${AUTH}admin.directory.group`,
]

/** `--google-admin-api-user-scope` values; anything else means `readonly`, as in oauth2-proxy. */
export function adminUserScope(value: string): string {
  if (value === 'cloud') return `${AUTH}cloud-platform`
  if (value === 'user') return `${AUTH}admin.directory.user`
  return `${AUTH}admin.directory.user.readonly`
}

/** Google's answer when delegation does not cover the scopes asked for; oauth2-proxy then tries the next scope. */
const UNAUTHORIZED_SCOPE = 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.'

/** Bound on the pages of groups.list followed for one user. */
const MAX_PAGES = 100

export interface GoogleDirectoryOptions {
  fetch: typeof fetch
  /** The service account's tokens: its key file, or Application Default Credentials impersonating it. */
  tokenSource: GoogleTokenSource
  /** `--google-admin-email`: the administrator the service account acts as (`sub` of the assertion). */
  adminEmail: string
  /** Extra scope for users.get, only with `--google-use-organization-id`. */
  userScope: string | undefined
  baseUrl: string
  log: Logger
  clock: () => number
}

export interface GoogleDirectory {
  /** Whether `email` is in `group`, nested groups included (members.hasMember, members.get when that answers 400). */
  isMember(group: string, email: string): Promise<boolean>
  /** The email addresses of every group `email` belongs to (groups.list?userKey=, all pages). */
  groupsOf(email: string): Promise<string[]>
  /** The user's `externalIds` entry of type `organization` (users.get), or undefined. */
  organizationId(email: string): Promise<string | undefined>
}

interface ApiAnswer {
  status: number
  body: Record<string, unknown> | undefined
}

/**
 * The Admin SDK Directory API calls of oauth2-proxy's google provider, authenticated as the service account acting as
 * the admin. A failed call (network, timeout, 5xx, refused credentials) leaves as a ProxyError 502 naming the call.
 */
export function createGoogleDirectory(options: GoogleDirectoryOptions): GoogleDirectory {
  let cached: { accessToken: string; expiresAtMs: number } | undefined
  let scopeIndex = 0

  let pending: Promise<string> | undefined

  /** The cached token, or one fetched once for all concurrent callers. */
  function accessToken(): Promise<string> {
    if (cached !== undefined && cached.expiresAtMs - 60_000 > options.clock()) return Promise.resolve(cached.accessToken)
    pending ??= fetchToken().finally(() => {
      pending = undefined
    })
    return pending
  }

  async function fetchToken(): Promise<string> {
    const now = options.clock()
    for (; scopeIndex < GROUP_SCOPES.length; scopeIndex++) {
      const scope = options.userScope === undefined ? GROUP_SCOPES[scopeIndex] ?? '' : `${GROUP_SCOPES[scopeIndex] ?? ''} ${options.userScope}`
      const result = await options.tokenSource(scope, options.adminEmail, now)
      if (result.kind === 'token') {
        cached = result
        return result.accessToken
      }
      if (result.error === 'unauthorized_client' && result.description === UNAUTHORIZED_SCOPE) continue
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Google service-account token refused: the token URI ${formatProviderError({ error: result.error, ...(result.description === '' ? {} : { description: result.description }) })}`)
    }
    scopeIndex = 0
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, 'Google service account is not authorized for any Admin SDK group scope: grant it domain-wide delegation')
  }

  async function get(call: string, path: string): Promise<ApiAnswer> {
    const token = await accessToken()
    let response: Response
    try {
      response = await options.fetch(new URL(path, options.baseUrl), { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, redirect: 'error' })
    } catch (err) {
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Google Admin SDK ${call} failed: ${(err as Error).message}`, { cause: err })
    }
    const json: unknown = await response.json().catch(() => undefined)
    const body = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined
    if (response.status === 401) cached = undefined
    return { status: response.status, body }
  }

  function failed(call: string, answer: ApiAnswer): ProxyError {
    const error = answer.body?.['error'] as { message?: unknown; status?: unknown } | undefined
    const detail = typeof error?.message === 'string' ? ` (${typeof error.status === 'string' ? `${error.status}: ` : ''}${error.message})` : ''
    return new ProxyError('ERR_OIDC_CLAIMS', 502, `Google Admin SDK ${call} answered ${answer.status}${detail}`)
  }

  const groupPath = (group: string) => `/admin/directory/v1/groups/${encodeURIComponent(group)}`

  return {
    async isMember(group, email) {
      const has = await get('members.hasMember', `${groupPath(group)}/hasMember/${encodeURIComponent(email)}`)
      if (has.status === 200) return has.body?.['isMember'] === true
      if (has.status === 404) {
        options.log.warn({ event: 'provider.google.group_missing', group }, `Google group ${group} does not exist`)
        return false
      }
      if (has.status !== 400) throw failed('members.hasMember', has)
      // hasMember answers 400 for members outside the group's domain: look the member up directly, and count only
      // ACTIVE ones (not ARCHIVED, SUSPENDED or UNKNOWN), as oauth2-proxy does.
      const member = await get('members.get', `${groupPath(group)}/members/${encodeURIComponent(email)}`)
      if (member.status === 200) return member.body?.['status'] === 'ACTIVE'
      if (member.status >= 400 && member.status < 500 && member.status !== 401 && member.status !== 403) return false
      throw failed('members.get', member)
    },

    async groupsOf(email) {
      const out: string[] = []
      let pageToken = ''
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = new URLSearchParams({ userKey: email, maxResults: '200', ...(pageToken === '' ? {} : { pageToken }) })
        const answer = await get('groups.list', `/admin/directory/v1/groups?${query.toString()}`)
        if (answer.status !== 200) throw failed('groups.list', answer)
        const groups = answer.body?.['groups']
        for (const g of Array.isArray(groups) ? groups : []) {
          const address = (g as { email?: unknown } | null)?.email
          if (typeof address === 'string' && address !== '') out.push(address)
        }
        const next = answer.body?.['nextPageToken']
        if (typeof next !== 'string' || next === '') return out
        pageToken = next
      }
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `Google Admin SDK groups.list kept paging past ${MAX_PAGES} pages`)
    },

    async organizationId(email) {
      const answer = await get('users.get', `/admin/directory/v1/users/${encodeURIComponent(email)}`)
      if (answer.status === 404) return undefined
      if (answer.status !== 200) throw failed('users.get', answer)
      const ids = answer.body?.['externalIds']
      for (const entry of Array.isArray(ids) ? ids : []) {
        const e = entry as { type?: unknown; value?: unknown } | null
        if (e?.type === 'organization' && typeof e.value === 'string' && e.value !== '') return e.value
      }
      return undefined
    },
  }
}
