import { ProxyError } from '../errors.js'

/** The fields of GitLab's OpenID userinfo that oauth2-proxy's gitlab provider reads. */
export interface GitlabUserinfo {
  nickname: string | undefined
  email: string | undefined
  emailVerified: boolean
  groups: string[]
}

/** A project as GET /api/v4/projects/:id shows it to the user: archived, and the user's own or inherited access level. */
export interface GitlabProjectInfo {
  archived: boolean
  projectAccess: number | undefined
  groupAccess: number | undefined
}

interface Answer {
  status: number
  body: Record<string, unknown> | undefined
}

async function get(fetchFn: typeof fetch, url: string, accessToken: string, call: string): Promise<Answer> {
  let response: Response
  try {
    response = await fetchFn(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, redirect: 'error' })
  } catch (err) {
    throw new ProxyError('ERR_OIDC_CLAIMS', 502, `GitLab ${call} failed: ${(err as Error).message}`, { cause: err })
  }
  const json: unknown = await response.json().catch(() => undefined)
  return { status: response.status, body: json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined }
}

function failed(call: string, answer: Answer): ProxyError {
  const message = typeof answer.body?.['message'] === 'string' ? ` (${answer.body['message']})` : typeof answer.body?.['error'] === 'string' ? ` (${answer.body['error']})` : ''
  return new ProxyError('ERR_OIDC_CLAIMS', 502, `GitLab ${call} answered ${answer.status}${message}`)
}

/**
 * GET <GitLab>/oauth/userinfo with the user's access token
 * (https://docs.gitlab.com/integration/openid_connect_provider/#shared-information). Any failure leaves as ProxyError
 * 502 naming the call: oauth2-proxy fails the sign-in too.
 */
export async function fetchGitlabUserinfo(fetchFn: typeof fetch, baseUrl: string, accessToken: string): Promise<GitlabUserinfo> {
  const answer = await get(fetchFn, new URL('/oauth/userinfo', baseUrl).toString(), accessToken, '/oauth/userinfo')
  if (answer.status !== 200 || answer.body === undefined) throw failed('/oauth/userinfo', answer)
  const b = answer.body
  const str = (k: string) => (typeof b[k] === 'string' && b[k] !== '' ? (b[k] as string) : undefined)
  const groups = Array.isArray(b['groups']) ? b['groups'].filter((g): g is string => typeof g === 'string') : []
  return { nickname: str('nickname'), email: str('email'), emailVerified: b['email_verified'] === true, groups }
}

/**
 * GET <GitLab>/api/v4/projects/<path URL-encoded> as the user (https://docs.gitlab.com/api/projects/#get-a-single-project).
 * Undefined when GitLab does not show the project to the user (401, 403, 404); other failures leave as ProxyError 502.
 */
export async function fetchGitlabProject(fetchFn: typeof fetch, baseUrl: string, accessToken: string, project: string): Promise<GitlabProjectInfo | undefined> {
  const call = `/api/v4/projects/${encodeURIComponent(project)}`
  const answer = await get(fetchFn, new URL(call, baseUrl).toString(), accessToken, call)
  if (answer.status === 401 || answer.status === 403 || answer.status === 404) return undefined
  if (answer.status !== 200 || answer.body === undefined) throw failed(call, answer)
  const permissions = answer.body['permissions'] as { project_access?: { access_level?: unknown } | null; group_access?: { access_level?: unknown } | null } | undefined
  const level = (v: { access_level?: unknown } | null | undefined) => (typeof v?.access_level === 'number' ? v.access_level : undefined)
  return { archived: answer.body['archived'] === true, projectAccess: level(permissions?.project_access), groupAccess: level(permissions?.group_access) }
}
