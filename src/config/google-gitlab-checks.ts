import { readFileSync } from 'node:fs'
import { gitlabProjectProblem } from '../providers/gitlab-projects.js'
import { parseServiceAccountKey } from '../providers/google-service-account.js'
import type { Config, CrossProblem as Problem } from './shape.js'


/**
 * oauth2-proxy's validateGoogleConfig: any Admin SDK option needs the admin to act as, and credentials: a readable
 * service-account key file or Application Default Credentials (--google-use-application-default-credentials), not both.
 */
function googleProblems(c: Config): Problem[] {
  const adc = c.googleUseApplicationDefaultCredentials
  const wanted = c.googleGroups.length > 0 || c.googleAdminEmail !== '' || c.googleServiceAccountJson !== '' || c.googleUseOrganizationId || adc
  if (c.provider !== 'google' || !wanted) return []
  const out: Problem[] = []
  if (c.googleAdminEmail === '') {
    out.push({ key: 'googleAdminEmail', message: 'the Admin SDK needs --google-admin-email: a Google Workspace administrator the service account acts as' })
  }
  if (adc) {
    if (c.googleServiceAccountJson !== '') {
      out.push({ key: 'googleServiceAccountJson', message: "can't use both --google-service-account-json and --google-use-application-default-credentials: keep one" })
    }
    return out
  }
  if (c.googleTargetPrincipal !== '') {
    out.push({ key: 'googleTargetPrincipal', message: '--google-target-principal is only used with --google-use-application-default-credentials: set that too, or drop it' })
  }
  if (c.googleServiceAccountJson === '') {
    out.push({
      key: 'googleServiceAccountJson',
      message: '--google-group, --google-admin-email and --google-use-organization-id need --google-service-account-json (the JSON key of a service account with domain-wide delegation) or --google-use-application-default-credentials',
    })
    return out
  }
  let text: string
  try {
    text = readFileSync(c.googleServiceAccountJson, 'utf8')
  } catch (err) {
    out.push({ key: 'googleServiceAccountJson', message: `Google credentials file cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): give the path of the service account's JSON key` })
    return out
  }
  const key = parseServiceAccountKey(text)
  if (typeof key === 'string') out.push({ key: 'googleServiceAccountJson', message: `the Google credentials file ${key}` })
  return out
}

/** `--gitlab-project` values must read `group/project[=level]`; `--allowed-group` is not read by the gitlab provider. */
function gitlabProblems(c: Config): Problem[] {
  if (c.provider !== 'gitlab') return []
  const out: Problem[] = []
  for (const project of c.gitlabProjects) {
    const problem = gitlabProjectProblem(project)
    if (problem !== undefined) out.push({ key: 'gitlabProjects', message: `${JSON.stringify(project)} ${problem}` })
  }
  if (c.allowedGroups.length > 0) {
    out.push({
      key: 'allowedGroups',
      message: 'the gitlab provider replaces --allowed-group with --gitlab-group (oauth2-proxy silently ignores --allowed-group here, allowing everyone): use --gitlab-group',
    })
  }
  return out
}

/** Cross-field rules of the google and gitlab providers (added to cross-checks.ts). */
export function googleGitlabProblems(c: Config): Problem[] {
  return [...googleProblems(c), ...gitlabProblems(c)]
}
