import { ProxyError } from '../errors.js'
import { callApi, expectJson } from './api-call.js'
import type { OAuth2Identity } from './oauth2-base.js'

/** Bitbucket Cloud's email list, oauth2-proxy's default `--validate-url` for bitbucket; the API origin comes from it. */
export const BITBUCKET_DEFAULT_VALIDATE_URL = 'https://api.bitbucket.org/2.0/user/emails'

/** Bound on the pages followed per list (Bitbucket pages hold 10 values unless `pagelen` says otherwise). */
const MAX_PAGES = 20

export interface BitbucketOptions {
  fetch: typeof fetch
  validateUrl: string
  /** `--bitbucket-team` */
  team: string
  /** `--bitbucket-repository` (owner/repo) */
  repository: string
}

/** `url` with `?access_token=`: oauth2-proxy's bitbucket provider sends the token as a query parameter. */
function withToken(url: string, token: string): string {
  const u = new URL(url)
  u.searchParams.set('access_token', token)
  return u.toString()
}

function refused(reason: string): ProxyError {
  return new ProxyError('ERR_LOGIN_UNAUTHORIZED', 403, `Bitbucket restriction: ${reason}`)
}

/**
 * oauth2-proxy's bitbucket provider: the primary email of `--validate-url` (`/2.0/user/emails`), then
 * `--bitbucket-team` against `/2.0/teams?role=member` and `--bitbucket-repository` against
 * `/2.0/repositories/<owner>?role=contributor&q=full_name="<repo>"`. Pages are followed through the answer's `next`
 * link (same origin only), which oauth2-proxy does not do.
 */
export function createBitbucketIdentify(options: BitbucketOptions): (token: string) => Promise<OAuth2Identity> {
  const origin = new URL(options.validateUrl).origin

  async function values(url: string, token: string, call: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = []
    let next: string | undefined = url
    for (let page = 0; next !== undefined; page++) {
      if (page >= MAX_PAGES) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${call}: more than ${MAX_PAGES} pages`)
      const body = expectJson(await callApi({ fetch: options.fetch, url: withToken(next, token), call, headers: { accept: 'application/json' } }), call) as { values?: unknown; next?: unknown }
      if (!Array.isArray(body?.values)) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${call} answered no values list`)
      out.push(...(body.values as Record<string, unknown>[]))
      next = typeof body.next === 'string' && body.next !== '' ? body.next : undefined
      if (next !== undefined && new URL(next).origin !== origin) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${call} sent a next link to another origin; not followed`)
    }
    return out
  }

  return async (token) => {
    const emails = await values(options.validateUrl, token, 'Bitbucket GET /2.0/user/emails')
    if (options.team !== '') {
      const teams = await values(`${origin}/2.0/teams?role=member`, token, 'Bitbucket GET /2.0/teams')
      if (!teams.some((t) => t['username'] === options.team)) throw refused(`not a member of team ${options.team}`)
    }
    if (options.repository !== '') {
      const owner = options.repository.split('/')[0] ?? ''
      const url = new URL(`${origin}/2.0/repositories/${encodeURIComponent(owner)}`)
      url.searchParams.set('role', 'contributor')
      url.searchParams.set('q', `full_name="${options.repository}"`)
      const repos = await values(url.toString(), token, `Bitbucket GET /2.0/repositories/${owner}`)
      if (!repos.some((r) => r['full_name'] === options.repository)) throw refused(`no contributor access to ${options.repository}`)
    }
    const primary = emails.find((e) => e['is_primary'] === true)
    return typeof primary?.['email'] === 'string' ? { email: primary['email'] } : {}
  }
}

/** oauth2-proxy adds the `team` and `repository` scopes when those checks are configured. */
export function bitbucketScope(scope: string, team: string, repository: string): string {
  let out = scope
  if (team !== '' && !out.includes('team')) out += ' team'
  if (repository !== '' && !out.includes('repository')) out += ' repository'
  return out
}
