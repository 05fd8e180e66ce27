// The pure parts of the github provider: API URLs, Link-header paging, and oauth2-proxy's restriction checks.

/** GitHub's public API, oauth2-proxy's default `--validate-url`; the API base is derived from it. */
export const GITHUB_DEFAULT_VALIDATE_URL = 'https://api.github.com/'

/**
 * The URL of an API path under the base derived from the validate URL, as oauth2-proxy's `makeGitHubAPIEndpoint`:
 * when the validate URL's path starts with `/api/v<N>` (GitHub Enterprise `/api/v3`, Gitea/Forgejo `/api/v1`) that
 * prefix is the base, otherwise the whole path is.
 */
export function githubApiUrl(validateUrl: string, apiPath: string, query?: Record<string, string>): string {
  const base = new URL(validateUrl)
  const prefix = /^\/api\/v\d+/.exec(base.pathname)?.[0] ?? base.pathname
  const url = new URL(base.origin)
  url.pathname = `${prefix.replace(/\/+$/, '')}/${apiPath.replace(/^\/+/, '')}`
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v)
  return url.toString()
}

/**
 * The `rel="next"` target of an RFC 8288 Link header (GitHub's and Gitea's paging,
 * https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api), resolved against the current
 * URL; undefined when there is none.
 */
export function nextLink(header: string | null, current: string): string | undefined {
  if (header === null) return undefined
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part)
    if (m === null) continue
    const rels = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? '')?.[1]?.toLowerCase().split(/\s+/) ?? []
    if (rels.includes('next')) return new URL(m[1] ?? '', current).toString()
  }
  return undefined
}

/** The restriction flags of the github provider. */
export interface GitHubRules {
  /** `--github-org` */
  org: string
  /** `--github-team`, split on commas and trimmed. */
  teams: readonly string[]
  /** `--github-repo` (owner/repo) */
  repo: string
  /** True when `--github-token` is set (the collaborator check uses it). */
  hasToken: boolean
  /** `--github-user` */
  users: readonly string[]
}

/** `--github-team` as a list: comma-separated, blanks dropped, as oauth2-proxy splits and trims it. */
export function splitTeams(value: string): string[] {
  return value.split(',').map((t) => t.trim()).filter((t) => t !== '')
}

/** A refusal reason (oauth2-proxy's error text), or undefined when the org/team rule passes or is not set. */
export function orgTeamProblem(rules: GitHubRules, groups: readonly string[]): string | undefined {
  if (rules.org !== '' && rules.teams.length > 0) {
    // oauth2-proxy's hasOrgAndTeam: org and team compared case-insensitively.
    const inOrg = groups.filter((g) => g.includes(':') && g.slice(0, g.indexOf(':')).toLowerCase() === rules.org.toLowerCase())
    if (inOrg.length === 0) return 'user is missing required organization'
    const teams = inOrg.map((g) => g.slice(g.indexOf(':') + 1).toLowerCase())
    return rules.teams.some((t) => teams.includes(t.toLowerCase())) ? undefined : 'user is missing required team'
  }
  if (rules.org !== '') {
    // oauth2-proxy's hasOrg: the org login, compared exactly.
    return groups.some((g) => !g.includes(':') && g === rules.org) ? undefined : 'user is missing required organization'
  }
  if (rules.teams.length > 0) {
    // Teams without --github-org must be written org:team (checked at start); any one of them is enough.
    const wanted = rules.teams.map((t) => t.toLowerCase())
    return groups.some((g) => g.includes(':') && wanted.includes(g.toLowerCase())) ? undefined : 'user is missing required team'
  }
  return undefined
}

/** What the checks after the org/team rule still have to ask GitHub, in oauth2-proxy's order. */
export type RepoCheck = 'none' | 'repository-permissions' | 'collaborator'

/**
 * oauth2-proxy: without `--github-org`, `--github-repo` is checked through the user's own permissions on the
 * repository, or, with `--github-token`, by asking whether the login is a collaborator.
 */
export function repoCheck(rules: GitHubRules): RepoCheck {
  if (rules.org !== '' || rules.repo === '') return 'none'
  return rules.hasToken ? 'collaborator' : 'repository-permissions'
}

/** oauth2-proxy's `hasRepoAccess`: push access, or pull access to a private repository (everyone can pull a public one). */
export function repoAllows(repo: { private?: unknown; permissions?: { pull?: unknown; push?: unknown } }): boolean {
  return repo.permissions?.push === true || (repo.private === true && repo.permissions?.pull === true)
}
