// A local stand-in for the two GitLab endpoints gatehouse's gitlab provider calls besides OpenID Connect, on 127.0.0.1.
// It follows GitLab's public documentation:
//   GET /oauth/userinfo      https://docs.gitlab.com/integration/openid_connect_provider/#shared-information
//        (sub, sub_legacy, name, nickname, preferred_username, email, email_verified, website, profile, picture, groups)
//   GET /api/v4/projects/:id https://docs.gitlab.com/api/projects/#get-a-single-project   (:id the URL-encoded path;
//        `archived`, `permissions.project_access` / `permissions.group_access` with `access_level`)
//   errors                   https://docs.gitlab.com/api/rest/troubleshooting/#status-codes  ({"message": "404 Project Not Found"},
//        {"message": "401 Unauthorized"}; /oauth/userinfo answers 401 {"error": "invalid_token", ...} with WWW-Authenticate)
// Neither call is paginated. Who the bearer token belongs to is asked of the dev IdP's userinfo endpoint, as a resource
// server would; the stand-in answers with that user's claims in GitLab's shape (nickname from the `nickname` claim).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenOnLoopback } from './loopback-server.js'

export interface GitlabProjectFixture {
  archived?: boolean
  /** Access levels by user `sub`: the user's own membership, and what they inherit from the project's group. */
  projectAccess?: Record<string, number>
  groupAccess?: Record<string, number>
  /** Users (by sub) who may see the project without membership, as for a public or internal project. */
  visibleTo?: string[]
}

export interface GitlabStandInOptions {
  /** The dev IdP's userinfo endpoint (read per request). */
  userinfoUrl: () => string
  /** Projects by path with namespace, e.g. `acme/api`. */
  projects: Record<string, GitlabProjectFixture>
}

export interface GitlabStandIn {
  url: string
  /** Raw request paths seen (still URL-encoded), with whether a bearer token came along. */
  requests: { path: string; bearer: boolean }[]
  /** Which calls fail: answered with GitLab's 500, or accepted and never answered. */
  failure: { on: 'userinfo' | 'projects'; mode: 'error' | 'hang' } | undefined
  close(): Promise<void>
}

export async function startGitlabStandIn(options: GitlabStandInOptions): Promise<GitlabStandIn> {
  const hanging = new Set<ServerResponse>()
  let base = ''
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { message: '500 Internal Server Error' })
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = (req.url ?? '/').split('?', 1)[0] ?? '/'
    const auth = req.headers.authorization ?? ''
    standIn.requests.push({ path: rawPath, bearer: auth.startsWith('Bearer ') })
    const kind = rawPath === '/oauth/userinfo' ? 'userinfo' : rawPath.startsWith('/api/v4/projects/') ? 'projects' : undefined
    if (req.method !== 'GET' || kind === undefined) return json(res, 404, { error: '404 Not Found' })
    if (standIn.failure?.on === kind) {
      if (standIn.failure.mode === 'hang') {
        hanging.add(res)
        return
      }
      return json(res, 500, { message: '500 Internal Server Error' })
    }
    const claims = auth.startsWith('Bearer ') ? await whoIs(auth.slice(7)) : undefined
    if (kind === 'userinfo') {
      if (claims === undefined) {
        res.setHeader('www-authenticate', 'Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"')
        return json(res, 401, { error: 'invalid_token', error_description: 'The access token is invalid' })
      }
      const nickname = typeof claims['nickname'] === 'string' ? claims['nickname'] : claims['preferred_username']
      return json(res, 200, {
        sub: claims['sub'],
        sub_legacy: `legacy-${String(claims['sub'])}`,
        name: claims['name'],
        nickname,
        preferred_username: nickname,
        email: claims['email'],
        email_verified: claims['email_verified'],
        website: '',
        profile: `${base}/${String(nickname)}`,
        picture: `${base}/uploads/-/system/user/avatar/1/avatar.png`,
        groups: claims['groups'] ?? [],
      })
    }
    if (claims === undefined) return json(res, 401, { message: '401 Unauthorized' })
    const path = decodeURIComponent(rawPath.slice('/api/v4/projects/'.length))
    const project = options.projects[path]
    const sub = String(claims['sub'])
    const own = project?.projectAccess?.[sub]
    const inherited = project?.groupAccess?.[sub]
    if (project === undefined || (own === undefined && inherited === undefined && !(project.visibleTo ?? []).includes(sub))) {
      return json(res, 404, { message: '404 Project Not Found' })
    }
    const [namespace, name] = [path.split('/').slice(0, -1).join('/'), path.split('/').at(-1) ?? '']
    json(res, 200, {
      id: 4711,
      name,
      path: name,
      path_with_namespace: path,
      namespace: { full_path: namespace, kind: 'group' },
      archived: project.archived === true,
      visibility: 'private',
      permissions: {
        project_access: own === undefined ? null : { access_level: own, notification_level: 3 },
        group_access: inherited === undefined ? null : { access_level: inherited, notification_level: 3 },
      },
    })
  }

  async function whoIs(token: string): Promise<Record<string, unknown> | undefined> {
    const r = await fetch(options.userinfoUrl(), { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) })
    return r.ok ? ((await r.json()) as Record<string, unknown>) : undefined
  }

  const listening = await listenOnLoopback(server)
  base = listening.origin
  const standIn: GitlabStandIn = {
    url: base,
    requests: [],
    failure: undefined,
    close: () => {
      for (const res of hanging) res.destroy()
      return listening.close()
    },
  }
  return standIn
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
