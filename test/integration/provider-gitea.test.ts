// Gitea and Forgejo through --provider=github (oauth2-proxy has no gitea type): their API answers at /api/v1 in
// GitHub's shapes, except that organizations carry `name`/`username` instead of `login` and teams `name` instead of
// `slug`. test/helpers/github-api.ts with shape 'gitea' follows Gitea's API documentation for those.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { startGitHubStandIn, type GitHubStandIn } from '../helpers/github-api.js'
import { planIdp, startOAuth2Stack } from '../helpers/oauth2-stack.js'
import type { Stack } from '../helpers/stack.js'

describe('gitea through the github provider', () => {
  let stack: Stack
  let api: GitHubStandIn

  before(async () => {
    const idp = await planIdp()
    api = await startGitHubStandIn({
      tokenOwner: idp.tokenOwner,
      shape: 'gitea',
      basePath: '/api/v1',
      maxPageSize: 2,
      accounts: {
        alice: { login: 'alice', emails: [{ email: 'alice@example.com', primary: true, verified: true }], orgs: ['infra', 'ops', 'web'], teams: ['infra:Owners', 'web:devs'] },
        bob: { login: 'bob', emails: [{ email: 'bob@example.com', primary: true, verified: true }], orgs: ['web'], teams: ['web:devs'] },
      },
    })
    stack = await startOAuth2Stack({ provider: 'github', idp, args: [`--validate-url=${api.url}`] })
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  it('reads organization and team names (Gitea has no login/slug) from every page under /api/v1', async () => {
    const { client, result } = await stack.signIn('alice', '/')
    assert.equal(result.status, 302)
    const info = JSON.parse((await client.get(`${stack.proxy.url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })).body) as { user?: string; groups?: string[] }
    assert.equal(info.user, 'alice')
    assert.deepEqual(info.groups, ['infra', 'ops', 'web', 'infra:Owners', 'web:devs'])
    assert.ok(api.requests.some((r) => r.path === '/user/orgs' && new URLSearchParams(r.query).get('page') === '2'), 'followed the Link header')
  })

  it('--github-org and --github-team work with Gitea organizations and teams', async () => {
    await stack.restartProxy(['--github-org=infra', '--github-team=owners'])
    assert.equal((await stack.signIn('alice', '/')).result.status, 302)
    assert.equal((await stack.signIn('bob', '/')).result.status, 403)
  })
})
