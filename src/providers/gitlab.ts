import { ProxyError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import type { Session } from '../session/session.js'
import type { BearerRefine } from './bearer-sessions.js'
import { claimToGroups, getClaim } from './claims.js'
import { fetchGitlabProject, fetchGitlabUserinfo } from './gitlab-api.js'
import { PROJECT_PREFIX, projectGroup, type GitlabProject } from './gitlab-projects.js'
import { createOidcProvider, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'

export interface GitlabOptions {
  /** `--gitlab-project` entries, parsed. */
  projects: readonly GitlabProject[]
  /** Origin of the GitLab instance for /oauth/userinfo and /api/v4 (the login URL's, as in oauth2-proxy). */
  baseUrl: string
  allowUnverifiedEmail: boolean
  log: Logger
}

/** GitLab's ID token claim with the paths of the groups the user is a direct member of (its userinfo has `groups`). */
const GROUPS_DIRECT_CLAIM = 'groups_direct'

/**
 * gitlab bearer tokens (GitLab ID tokens): the groups claim, else GitLab's `groups_direct`, so `--gitlab-group` admits
 * API clients. `--gitlab-project` groups need GitLab's API and a token it accepts, so bearer sessions never get them.
 */
export function gitlabBearerSession(groupsClaim: string): BearerRefine {
  return (session, claims) => {
    if (getClaim(claims, groupsClaim) !== undefined) return session
    const direct = claimToGroups(getClaim(claims, GROUPS_DIRECT_CLAIM))
    return direct === undefined || direct.length === 0 ? session : { ...session, groups: direct }
  }
}

/**
 * `--provider=gitlab`: generic OIDC (discovery from the GitLab instance's issuer) plus oauth2-proxy's GitLab enrichment:
 * GitLab's /oauth/userinfo gives the verified email, `nickname` as the user and the groups; each `--gitlab-project`
 * the user may see at the required access level adds the group `project:<group/project>`.
 */
export function createGitlabProvider(options: OidcProviderOptions, gitlab: GitlabOptions): Provider {
  async function projectGroups(session: Session, accessToken: string): Promise<string[]> {
    const out: string[] = []
    for (const project of gitlab.projects) {
      const info = await fetchGitlabProject(options.fetch, gitlab.baseUrl, accessToken, project.name)
      const skip = (reason: string) => gitlab.log.info({ event: 'provider.gitlab.project_skipped', project: project.name, email: session.email, reason }, `project ${project.name} not granted: ${reason}`)
      if (info === undefined) skip('not found or not visible to the user')
      else if (info.archived) skip('archived')
      else {
        // The user's own project membership wins; the access inherited from the project's group is the fallback.
        const level = info.projectAccess ?? info.groupAccess
        if (level === undefined) skip('no project or group access')
        else if (level < project.accessLevel) skip(`access level ${level} below ${project.accessLevel}`)
        else out.push(projectGroup(project))
      }
    }
    return out
  }

  return createOidcProvider({
    ...options,
    name: 'gitlab',
    hooks: {
      async enrich(session, context) {
        if (context.phase === 'refresh') {
          // oauth2-proxy's RefreshSession: the new ID token replaced user and groups; keep the nickname and the
          // project groups found at sign-in.
          const projects = (context.previous?.groups ?? []).filter((g) => g.startsWith(PROJECT_PREFIX))
          const groups = [...new Set([...(session.groups ?? []), ...projects])]
          const user = context.previous?.user ?? session.user
          const { groups: _g, user: _u, ...rest } = session
          return { ...rest, ...(user === undefined ? {} : { user }), ...(groups.length === 0 ? {} : { groups }) }
        }
        if (session.accessToken === undefined) throw new ProxyError('ERR_OIDC_CLAIMS', 502, 'gitlab: the token response has no access token for /oauth/userinfo')
        const info = await fetchGitlabUserinfo(options.fetch, gitlab.baseUrl, session.accessToken)
        if (!gitlab.allowUnverifiedEmail && !info.emailVerified) {
          throw new ProxyError('ERR_OIDC_CLAIMS', 403, 'user email is not verified', { userMessage: 'Your email address is not verified by the identity provider.' })
        }
        const base = info.groups.length > 0 ? info.groups : (session.groups ?? [])
        const groups = [...base, ...(await projectGroups(session, session.accessToken))]
        const { groups: _g, ...rest } = session
        return {
          ...rest,
          ...(info.nickname === undefined ? {} : { user: info.nickname }),
          ...(info.email === undefined ? {} : { email: info.email }),
          ...(groups.length === 0 ? {} : { groups }),
        }
      },
    },
  })
}
