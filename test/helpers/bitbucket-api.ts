// A local stand-in for the Bitbucket Cloud REST API 2.0 calls of gatehouse's bitbucket provider, following Atlassian's
// public documentation (https://developer.atlassian.com/cloud/bitbucket/rest/):
//   GET /2.0/user/emails                     paginated { pagelen, size, page, values: [{ email, is_primary, is_confirmed, type }], next }
//   GET /2.0/teams?role=member               the (deprecated) team list: values of { username, display_name, type: "team" }
//   GET /2.0/repositories/{workspace}?role=contributor&q=full_name="…"   values of { full_name, is_private, type }
//   pagination: https://developer.atlassian.com/cloud/bitbucket/rest/intro/#pagination (`next` holds the full next URL)
//   errors: { type: "error", error: { message } }, 401 for a missing or unknown token
// The token is read from `?access_token=` (what oauth2-proxy sends) or a Bearer header, and its owner is found through
// the dev IdP's introspection endpoint.
import { startApiStandIn, type ApiStandIn, type StandInReply } from './api-stand-in.js'
import type { TokenOwner } from './oauth2-stack.js'

export interface BitbucketAccount {
  emails: { email: string; is_primary: boolean; is_confirmed: boolean }[]
  teams: string[]
  /** Repositories (full names) the account may contribute to. */
  repositories: string[]
}

const PAGELEN = 2

function error(status: number, message: string): StandInReply {
  return { status, body: { type: 'error', error: { message } } }
}

/** One page of `values` as Bitbucket answers it, with `next` while more remain. */
function page(url: URL, values: unknown[]): StandInReply {
  const n = Math.max(Number(url.searchParams.get('page') ?? '1') || 1, 1)
  const body: Record<string, unknown> = { pagelen: PAGELEN, size: values.length, page: n, values: values.slice((n - 1) * PAGELEN, n * PAGELEN) }
  if (n * PAGELEN < values.length) {
    const next = new URL(url)
    next.searchParams.delete('access_token')
    next.searchParams.set('page', String(n + 1))
    body['next'] = next.toString()
  }
  return { status: 200, body }
}

export async function startBitbucketStandIn(options: { tokenOwner: TokenOwner; accounts: Record<string, BitbucketAccount> }): Promise<ApiStandIn> {
  return startApiStandIn(async (req) => {
    const sub = await options.tokenOwner(req.token)
    const account = sub === undefined ? undefined : options.accounts[sub]
    if (account === undefined) return error(401, 'Access token expired or invalid.')
    const path = req.url.pathname
    if (path === '/2.0/user/emails') return page(req.url, account.emails.map((e) => ({ ...e, type: 'email' })))
    if (path === '/2.0/teams' && req.url.searchParams.get('role') === 'member') {
      return page(req.url, account.teams.map((t) => ({ username: t, display_name: t.toUpperCase(), type: 'team' })))
    }
    const workspace = /^\/2\.0\/repositories\/([^/]+)$/.exec(path)?.[1]
    if (workspace !== undefined && req.url.searchParams.get('role') === 'contributor') {
      const wanted = /^full_name="([^"]*)"$/.exec(req.url.searchParams.get('q') ?? '')?.[1]
      const repos = account.repositories.filter((r) => r.startsWith(`${workspace}/`) && (wanted === undefined || r === wanted))
      return page(req.url, repos.map((r) => ({ full_name: r, is_private: true, type: 'repository' })))
    }
    return error(404, 'Resource not found')
  }, { type: 'error', error: { message: 'Something went wrong' } })
}
