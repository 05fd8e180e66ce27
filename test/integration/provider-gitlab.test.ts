// --provider=gitlab through the real process. The dev IdP plays a self-hosted GitLab's OpenID provider (discovery from
// --oidc-issuer-url, GitLab's `nickname` claim); GitLab's /oauth/userinfo and /api/v4/projects are the local stand-in
// test/helpers/gitlab-api.ts, which says which GitLab documentation it follows and checks the user's access token at
// the dev IdP. Reference §6.1 (gitlab), §6.4.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { devUser } from '../helpers/dev-users.js'
import { startGitlabStandIn, type GitlabStandIn } from '../helpers/gitlab-api.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

function gitlabUser(name: string, groups: string[], extra: Partial<DevUser> = {}): DevUser {
  return devUser(name, { sub: `${name.length}${name}`, email: `${name}@example.com`, groups, extraClaims: { nickname: `${name}.gl` }, ...extra })
}

const USERS: DevUser[] = [
  gitlabUser('alice', ['acme', 'acme/devs']),
  gitlabUser('bob', ['acme'], { emailVerified: false }),
  gitlabUser('carol', ['other']),
]

describe('gitlab provider', () => {
  let stack: Stack
  let gitlab: GitlabStandIn
  let url: string

  before(async () => {
    let userinfoUrl = ''
    gitlab = await startGitlabStandIn({
      userinfoUrl: () => userinfoUrl,
      projects: {
        'acme/api': { projectAccess: { '5alice': 30 }, groupAccess: { '5carol': 10 } },
        'acme/web': { groupAccess: { '5alice': 20 } },
        'acme/old': { archived: true, projectAccess: { '5alice': 40 } },
        'acme/public': { visibleTo: ['5alice'] },
      },
    })
    stack = await startStack({
      idp: { users: USERS },
      replaceArgs: (defaults) => defaults.map((a) => (a === '--provider=oidc' ? '--provider=gitlab' : a)),
      // GitLab's groups come from /oauth/userinfo; the dev IdP releases them with its `groups` scope.
      args: ['--scope=openid email groups'],
      env: { GATEHOUSE_TEST_GITLAB_URL: gitlab.url },
    })
    userinfoUrl = `${stack.idp.issuer}/me`
    url = stack.proxy.url
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), gitlab?.close()])
  })

  async function signIn(login: string): Promise<{ client: HttpClient; status: number; body: string }> {
    const { client, result } = await stack.signIn(login, '/landing')
    return { client, status: result.status, body: result.response.body }
  }

  async function userinfo(client: HttpClient): Promise<{ user?: string; email?: string; groups?: string[] }> {
    const r = await client.get(`${url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })
    assert.equal(r.status, 200, r.body)
    return JSON.parse(r.body) as { user?: string; email?: string; groups?: string[] }
  }

  async function scopeOf(): Promise<string | null> {
    const r = await stack.client().get(`${url}/oauth2/start`)
    assert.equal(r.status, 302)
    return new URL(r.headers['location'] ?? '').searchParams.get('scope')
  }

  it('asks for "openid email", plus read_api when projects are checked', async () => {
    await stack.restartProxy(['--scope='])
    assert.equal(await scopeOf(), 'openid email')
    await stack.restartProxy(['--scope=', '--gitlab-project=acme/api'])
    assert.equal(await scopeOf(), 'openid email read_api')
    await stack.restartProxy([])
    assert.equal(await scopeOf(), 'openid email groups')
  })

  it('reads nickname, email and groups from /oauth/userinfo with the access token', async () => {
    gitlab.requests.length = 0
    const { client, status } = await signIn('alice')
    assert.equal(status, 302)
    const info = await userinfo(client)
    assert.equal(info.user, 'alice.gl', 'user is the GitLab nickname, not sub')
    assert.equal(info.email, 'alice@example.com')
    assert.deepEqual(info.groups, ['acme', 'acme/devs'])
    assert.deepEqual(gitlab.requests, [{ path: '/oauth/userinfo', bearer: true }])
  })

  it('refuses an unverified email unless --insecure-oidc-allow-unverified-email', async () => {
    assert.equal((await signIn('bob')).status, 403)
    await stack.restartProxy(['--insecure-oidc-allow-unverified-email'])
    assert.equal((await signIn('bob')).status, 302)
  })

  it('--gitlab-group admits members of the listed groups only (GHSA-652x-m2gr-hppm, CVE-2021-21411: the restriction holds)', async () => {
    await stack.restartProxy(['--gitlab-group=acme/devs', '--gitlab-group=ops'])
    assert.equal((await signIn('alice')).status, 302)
    assert.equal((await signIn('carol')).status, 403)
  })

  it('--gitlab-project: GET /api/v4/projects/<encoded path>, access level from project or group access', async () => {
    await stack.restartProxy(['--gitlab-project=acme/api=30'])
    gitlab.requests.length = 0
    const alice = await signIn('alice')
    assert.equal(alice.status, 302, 'developer (30) on acme/api')
    assert.deepEqual((await userinfo(alice.client)).groups, ['acme', 'acme/devs', 'project:acme/api'])
    assert.ok(gitlab.requests.some((r) => r.path === '/api/v4/projects/acme%2Fapi' && r.bearer))
    assert.equal((await signIn('carol')).status, 403, 'guest (10) through the group is below 30')

    await stack.restartProxy(['--gitlab-project=acme/web'])
    assert.equal((await signIn('alice')).status, 302, 'inherited reporter access meets the default 20')
    await stack.restartProxy(['--gitlab-project=acme/old=10'])
    assert.equal((await signIn('alice')).status, 403, 'archived projects grant nothing')
    await stack.restartProxy(['--gitlab-project=acme/public=10', '--gitlab-project=acme/nope'])
    assert.equal((await signIn('alice')).status, 403, 'a visible project without membership, and a missing one (404)')
  })

  it('--gitlab-group and --gitlab-project together: either grants access', async () => {
    await stack.restartProxy(['--gitlab-group=other', '--gitlab-project=acme/api=30'])
    assert.equal((await signIn('alice')).status, 302)
    assert.equal((await signIn('carol')).status, 302)
    assert.equal((await signIn('bob')).status, 403, 'unverified email, whatever the groups')
  })

  it('a refresh keeps the nickname and the project groups', async () => {
    await stack.restartProxy(['--gitlab-project=acme/api=30', '--cookie-refresh=1s'])
    const { client, status } = await signIn('alice')
    assert.equal(status, 302)
    await new Promise((r) => setTimeout(r, 2100))
    stack.idp.resetStats()
    gitlab.requests.length = 0
    assert.equal((await client.get(`${url}/after-refresh`)).status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1)
    const info = await userinfo(client)
    assert.equal(info.user, 'alice.gl')
    assert.deepEqual(info.groups, ['acme', 'acme/devs', 'project:acme/api'])
    assert.deepEqual(gitlab.requests, [], 'projects are not looked up again, as in oauth2-proxy')
  })

  for (const [on, mode, call] of [['userinfo', 'error', '/oauth/userinfo answered 500'], ['projects', 'hang', '/api/v4/projects/acme%2Fapi failed']] as const) {
    it(`GitLab ${on === 'userinfo' ? '/oauth/userinfo answering 500' : '/api/v4/projects never answering'} gives a 502 with a request id and one log line naming the call`, async () => {
      await stack.restartProxy(['--gitlab-project=acme/api=30'])
      gitlab.failure = { on, mode }
      try {
        const { status, body } = await signIn('alice')
        assert.equal(status, 502)
        const requestId = /Request ID: (?:<code>)?([^<\s]+)/.exec(body)?.[1]
        assert.ok(requestId, 'the error page shows the request id')
        assert.doesNotMatch(body, /userinfo|api\/v4|127\.0\.0\.1/, 'no internal detail reaches the browser')
        await stack.proxy.waitForLog(call)
        const lines = stack.proxy.logs().split('\n').filter((l) => l.includes(requestId) && l.includes('"http.error"'))
        assert.equal(lines.length, 1)
        assert.ok(lines[0]?.includes(`GitLab ${call}`), lines[0])
      } finally {
        gitlab.failure = undefined
      }
    })
  }
})
