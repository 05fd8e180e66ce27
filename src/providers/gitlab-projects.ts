/** oauth2-proxy's prefix for GitLab projects in the session's groups. */
export const PROJECT_PREFIX = 'project:'

/** GitLab's access levels oauth2-proxy accepts: guest, reporter, developer, maintainer (https://docs.gitlab.com/api/members/#roles). */
const ACCESS_LEVELS: readonly number[] = [10, 20, 30, 40]

/** Reporter, oauth2-proxy's default minimum. */
const DEFAULT_ACCESS_LEVEL = 20

/** A `--gitlab-project` entry: `group/project` (path with namespace) and the minimum access level. */
export interface GitlabProject {
  name: string
  accessLevel: number
}

/** Why a `--gitlab-project` value is unusable, or undefined when it reads `group/project[=level]`. */
export function gitlabProjectProblem(value: string): string | undefined {
  const at = value.indexOf('=')
  const name = at < 0 ? value : value.slice(0, at)
  if (name === '') return 'names no project: write group/project or group/project=level'
  if (at >= 0 && !ACCESS_LEVELS.includes(Number(value.slice(at + 1)))) {
    return `has access level ${JSON.stringify(value.slice(at + 1))}: use 10 (guest), 20 (reporter, the default), 30 (developer) or 40 (maintainer)`
  }
  return undefined
}

/** Parses a value gitlabProjectProblem accepted (oauth2-proxy's newGitlabProject: split at the first `=`). */
export function parseGitlabProject(value: string): GitlabProject {
  const at = value.indexOf('=')
  return at < 0 ? { name: value, accessLevel: DEFAULT_ACCESS_LEVEL } : { name: value.slice(0, at), accessLevel: Number(value.slice(at + 1)) }
}

/** The group a project grants: `project:<group/project>`, as oauth2-proxy names it. */
export function projectGroup(project: GitlabProject): string {
  return `${PROJECT_PREFIX}${project.name}`
}

/** oauth2-proxy's setProjectScope: `read_api` is added to the scope when projects are checked. */
export function withReadApi(scope: string): string {
  return scope.split(' ').includes('read_api') ? scope : `${scope} read_api`
}
