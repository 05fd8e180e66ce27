import { ProxyError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import { apiStatusError, callApi, expectJson } from './api-call.js'
import { githubApiUrl, nextLink, orgTeamProblem, repoAllows, repoCheck, type GitHubRules } from './github-rules.js'
import type { OAuth2Identity } from './oauth2-base.js'

export interface GitHubApiOptions {
  fetch: typeof fetch
  /** `--validate-url` or https://api.github.com/; every API URL is derived from it. */
  validateUrl: string
  rules: GitHubRules
  /** `--github-token`, sent only to the collaborator check. */
  token: string
  log: Logger
}

/** Bound on the pages followed per list, so a misbehaving server cannot keep a sign-in waiting forever. */
const MAX_PAGES = 50

/** The headers oauth2-proxy's github provider sends (`makeGitHubHeader`); GitHub refuses requests without a User-Agent. */
export function githubHeaders(token: string): Record<string, string> {
  return { authorization: `token ${token}`, accept: 'application/vnd.github.v3+json', 'user-agent': 'gatehouse' }
}

function refused(reason: string): ProxyError {
  return new ProxyError('ERR_LOGIN_UNAUTHORIZED', 403, `GitHub restriction: ${reason}`)
}

type Json = Record<string, unknown>

/** The login (GitHub) or name (Gitea, Forgejo) of an organization object. */
function orgName(org: unknown): string | undefined {
  const o = (org ?? {}) as { login?: unknown; name?: unknown; username?: unknown }
  for (const v of [o.login, o.username, o.name]) if (typeof v === 'string' && v !== '') return v
  return undefined
}

/**
 * The GitHub (or GitHub Enterprise, Gitea, Forgejo) REST calls of oauth2-proxy's github provider, in its order:
 * organizations and teams (every page) become the groups, then `--github-user`, org/team and repository restrictions,
 * then the primary verified email and the login.
 */
export function createGitHubIdentify(options: GitHubApiOptions): (accessToken: string) => Promise<OAuth2Identity> {
  const { rules } = options
  const origin = new URL(options.validateUrl).origin

  async function get(path: string, token: string): Promise<{ status: number; body: () => unknown; headers: Headers }> {
    const call = `GitHub GET ${path}`
    const answer = await callApi({ fetch: options.fetch, url: githubApiUrl(options.validateUrl, path), call, headers: githubHeaders(token) })
    return { status: answer.status, headers: answer.headers, body: () => expectJson(answer, call) }
  }

  /** Every item of a paged list: Link `rel="next"` when the server sends Link headers, else pages until an empty one. */
  async function list(path: string, token: string): Promise<unknown[]> {
    const call = `GitHub GET ${path}`
    const items: unknown[] = []
    let page = 1
    let url: string | undefined = githubApiUrl(options.validateUrl, path, { per_page: '100', page: '1' })
    for (let n = 0; url !== undefined; n++) {
      if (n >= MAX_PAGES) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${call}: more than ${MAX_PAGES} pages`)
      const answer = await callApi({ fetch: options.fetch, url, call, headers: githubHeaders(token) })
      const body = expectJson(answer, call)
      if (!Array.isArray(body)) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${call} did not answer a list`)
      items.push(...body)
      const link = answer.headers.get('link')
      const next = nextLink(link, url)
      if (next !== undefined && new URL(next).origin !== origin) throw new ProxyError('ERR_OIDC_CLAIMS', 502, `${call} sent a next link to another origin; not followed`)
      if (next !== undefined) url = next
      else if (link !== null || body.length === 0) url = undefined
      else url = githubApiUrl(options.validateUrl, path, { per_page: '100', page: String(++page) })
    }
    return items
  }

  async function groupsOf(token: string): Promise<string[]> {
    const orgs = (await list('/user/orgs', token)).map(orgName).filter((o): o is string => o !== undefined)
    const teams = (await list('/user/teams', token)).flatMap((t) => {
      const team = (t ?? {}) as { slug?: unknown; name?: unknown; organization?: unknown }
      const org = orgName(team.organization)
      const slug = typeof team.slug === 'string' && team.slug !== '' ? team.slug : team.name
      return org !== undefined && typeof slug === 'string' && slug !== '' ? [`${org}:${slug}`] : []
    })
    return [...orgs, ...teams]
  }

  async function repoPermissionsAllow(token: string): Promise<boolean> {
    const r = await get(`/repos/${rules.repo}`, token)
    // A private repository the user cannot see is a 404 (GitHub hides it): a refusal, not a failure.
    if (r.status === 404 || r.status === 403) return false
    return repoAllows(r.body() as Json)
  }

  async function isCollaborator(login: string): Promise<boolean> {
    const path = `/repos/${rules.repo}/collaborators/${encodeURIComponent(login)}`
    const r = await get(path, options.token)
    if (r.status === 204) return true
    if (r.status === 404) return false
    throw apiStatusError({ status: r.status, headers: r.headers, text: '' }, `GitHub GET ${path}`)
  }

  async function primaryEmail(token: string): Promise<string | undefined> {
    const body = (await get('/user/emails', token)).body()
    if (!Array.isArray(body)) throw new ProxyError('ERR_OIDC_CLAIMS', 502, 'GitHub GET /user/emails did not answer a list')
    const hit = body.find((e) => (e as Json)?.['primary'] === true && (e as Json)?.['verified'] === true) as Json | undefined
    return typeof hit?.['email'] === 'string' ? hit['email'] : undefined
  }

  return async (token: string): Promise<OAuth2Identity> => {
    const groups = await groupsOf(token)
    let login: string | undefined
    const whoAmI = async (): Promise<string> => {
      if (login !== undefined) return login
      const user = (await get('/user', token)).body() as Json
      if (typeof user?.['login'] !== 'string' || user['login'] === '') throw new ProxyError('ERR_OIDC_CLAIMS', 502, 'GitHub GET /user answered no login')
      login = user['login']
      return login
    }
    // checkRestrictions: a listed --github-user skips every other restriction.
    let listedUser = false
    if (rules.users.length > 0) {
      listedUser = rules.users.includes(await whoAmI())
      if (!listedUser && rules.org === '' && rules.repo === '') throw refused('missing github user')
    }
    if (!listedUser) {
      const problem = orgTeamProblem(rules, groups)
      if (problem !== undefined) throw refused(problem)
      if (repoCheck(rules) === 'repository-permissions' && !(await repoPermissionsAllow(token))) throw refused("user doesn't have repository access")
    }
    const email = await primaryEmail(token)
    const user = await whoAmI()
    if (!listedUser && repoCheck(rules) === 'collaborator' && !(await isCollaborator(user))) throw refused(`user is not a collaborator of ${rules.repo}`)
    options.log.debug({ event: 'provider.github.identity', user, groups: groups.length }, 'GitHub identity read')
    return { user, ...(email === undefined ? {} : { email }), groups }
  }
}
