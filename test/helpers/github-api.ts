// A local stand-in for the GitHub REST API calls of gatehouse's github provider, and for Gitea/Forgejo's
// GitHub-compatible ones (shape: 'gitea'). It follows GitHub's public documentation:
//   https://docs.github.com/en/rest/users/users#get-the-authenticated-user              GET /user
//   https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user  GET /user/emails
//   https://docs.github.com/en/rest/orgs/orgs#list-organizations-for-the-authenticated-user       GET /user/orgs
//   https://docs.github.com/en/rest/teams/teams#list-teams-for-the-authenticated-user             GET /user/teams
//   https://docs.github.com/en/rest/repos/repos#get-a-repository                         GET /repos/{owner}/{repo}
//   https://docs.github.com/en/rest/collaborators/collaborators#check-if-a-user-is-a-repository-collaborator (204/404)
//   https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api  (per_page, page, Link header)
//   https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api      (401 Bad credentials, User-Agent)
// and for shape 'gitea' Gitea's API (https://docs.gitea.com/api/1.22/): organizations carry `name`/`username` and no
// `login`, teams carry `name` and no `slug`, paging is `page`/`limit` with a Link header, base path /api/v1.
// The access token's owner is found through the dev IdP's introspection endpoint (test/helpers/oauth2-stack.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { TokenOwner } from './oauth2-stack.js'
import { listenOnLoopback } from './loopback-server.js'

export interface GitHubAccount {
  login: string
  /** Email entries as GET /user/emails lists them. */
  emails: { email: string; primary: boolean; verified: boolean }[]
  orgs: string[]
  /** Teams as org:slug. */
  teams: string[]
  /** Permissions on repositories, by owner/repo. */
  repos?: Record<string, { push: boolean; pull: boolean }>
}

export interface GitHubRepo {
  private: boolean
  /** Logins that are collaborators. */
  collaborators: string[]
}

export interface GitHubStandInOptions {
  tokenOwner: TokenOwner
  /** Accounts by the IdP `sub` their token belongs to. */
  accounts: Record<string, GitHubAccount>
  repos?: Record<string, GitHubRepo>
  /** A personal access token of the repository owner (--github-token), accepted for the collaborator check. */
  ownerToken?: string
  /** '' for api.github.com, /api/v3 for GitHub Enterprise, /api/v1 for Gitea. */
  basePath?: string
  shape?: 'github' | 'gitea'
  /** Items per page at most (GitHub allows per_page up to 100); small here to exercise paging. */
  maxPageSize?: number
}

export interface GitHubStandIn {
  /** The API base: origin plus basePath, with a trailing slash (what --validate-url gets). */
  url: string
  /** Path (without basePath) and query of every request, and whether it carried the GitHub headers. */
  requests: { path: string; query: string; accept: string | undefined; authScheme: string | undefined }[]
  /** 'ok', 'broken' (every call answers 500) or 'hang' (no answer at all). */
  mode: 'ok' | 'broken' | 'hang'
  close(): Promise<void>
}

export async function startGitHubStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  const basePath = options.basePath ?? ''
  const gitea = options.shape === 'gitea'
  const maxPage = options.maxPageSize ?? 100
  const requests: GitHubStandIn['requests'] = []
  let origin = ''
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'Server Error' })
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin)
    if (!url.pathname.startsWith(basePath)) return send(res, 404, notFound())
    const path = url.pathname.slice(basePath.length) || '/'
    const auth = req.headers.authorization ?? ''
    const accept = req.headers.accept
    requests.push({ path, query: url.search, accept, authScheme: auth.split(' ')[0] })
    if (standIn.mode === 'hang') return // never answers: gatehouse's bounded timeout must end the sign-in
    if (standIn.mode === 'broken') return send(res, 500, { message: 'Server Error' })
    if (!gitea && (req.headers['user-agent'] ?? '') === '') {
      res.writeHead(403, { 'content-type': 'text/plain' })
      res.end('Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).\n')
      return
    }
    // GitHub accepts "token <t>" and "Bearer <t>".
    const token = /^(?:token|bearer) (.+)$/i.exec(auth)?.[1] ?? url.searchParams.get('access_token') ?? ''
    const collab = /^\/repos\/([^/]+\/[^/]+)\/collaborators\/([^/]+)$/.exec(path)
    if (collab !== null) {
      if (options.ownerToken === undefined || token !== options.ownerToken) return send(res, 401, badCredentials())
      const repo = options.repos?.[collab[1] ?? '']
      res.writeHead(repo?.collaborators.includes(decodeURIComponent(collab[2] ?? '')) === true ? 204 : 404, repo === undefined ? { 'content-type': 'application/json' } : {})
      res.end(repo === undefined ? JSON.stringify(notFound()) : undefined)
      return
    }
    const sub = await options.tokenOwner(token)
    const account = sub === undefined ? undefined : options.accounts[sub]
    if (account === undefined) return send(res, 401, badCredentials())
    if (path === '/') return send(res, 200, { current_user_url: `${origin}${basePath}/user`, emails_url: `${origin}${basePath}/user/emails` })
    if (path === '/user') return send(res, 200, { login: account.login, id: 1000 + account.login.length, type: 'User', name: account.login, email: null })
    if (path === '/user/emails') return send(res, 200, account.emails.map((e) => ({ ...e, visibility: e.primary ? 'private' : null })))
    if (path === '/user/orgs') {
      const orgs = account.orgs.map((o, i) => (gitea ? { id: i + 1, name: o, username: o, full_name: o, visibility: 'public' } : { login: o, id: i + 1, url: `${origin}${basePath}/orgs/${o}` }))
      return sendPage(res, url, orgs)
    }
    if (path === '/user/teams') {
      const teams = account.teams.map((t, i) => {
        const [org = '', slug = ''] = t.split(':')
        return gitea
          ? { id: i + 1, name: slug, permission: 'read', organization: { id: 1, name: org, username: org } }
          : { id: i + 1, name: slug.toUpperCase(), slug, organization: { login: org, id: 1 } }
      })
      return sendPage(res, url, teams)
    }
    const repoPath = /^\/repos\/([^/]+\/[^/]+)$/.exec(path)?.[1]
    if (repoPath !== undefined) {
      const repo = options.repos?.[repoPath]
      const perms = account.repos?.[repoPath]
      // A private repository the user has no access to is hidden: 404, as GitHub answers.
      if (repo === undefined || (repo.private && perms === undefined)) return send(res, 404, notFound())
      return send(res, 200, { full_name: repoPath, private: repo.private, permissions: { admin: false, push: perms?.push ?? false, pull: perms?.pull ?? !repo.private } })
    }
    send(res, 404, notFound())
  }

  function sendPage(res: ServerResponse, url: URL, items: unknown[]): void {
    const sizeParam = gitea ? (url.searchParams.get('limit') ?? '30') : (url.searchParams.get('per_page') ?? '30')
    const size = Math.min(Math.max(Number(sizeParam) || 30, 1), maxPage)
    const page = Math.max(Number(url.searchParams.get('page') ?? '1') || 1, 1)
    const last = Math.max(Math.ceil(items.length / size), 1)
    const link = (p: number, rel: string): string => {
      const u = new URL(url)
      u.searchParams.set('page', String(p))
      return `<${u.toString()}>; rel="${rel}"`
    }
    const links: string[] = []
    if (items.length > size) {
      if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
      if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'))
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
    if (links.length > 0) headers['link'] = links.join(', ')
    if (gitea) headers['x-total-count'] = String(items.length)
    res.writeHead(200, headers)
    res.end(JSON.stringify(items.slice((page - 1) * size, page * size)))
  }

  function badCredentials(): Record<string, unknown> {
    return gitea ? { message: 'invalid username, password or token', url: `${origin}/api/swagger` } : { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }
  }
  function notFound(): Record<string, unknown> {
    return gitea ? { message: 'The target couldn\'t be found.', url: `${origin}/api/swagger`, errors: [] } : { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }
  }

  const listening = await listenOnLoopback(server)
  origin = listening.origin
  const standIn: GitHubStandIn = {
    url: `${origin}${basePath}/`,
    requests,
    mode: 'ok',
    close: listening.close,
  }
  return standIn
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}
