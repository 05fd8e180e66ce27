// --provider=github through the real process. The dev IdP is GitHub's OAuth2 authorization server (codes and opaque
// access tokens; --login-url/--redeem-url point at it) and test/helpers/github-api.ts stands in for the REST API at
// --validate-url (it says which GitHub documentation it follows). Reference §6.1 (github), §1.6 (--github-*).
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { HttpClient } from '../helpers/http.js'
import { startGitHubStandIn, type GitHubAccount, type GitHubStandIn } from '../helpers/github-api.js'
import { planIdp, startOAuth2Stack } from '../helpers/oauth2-stack.js'
import type { Stack } from '../helpers/stack.js'

const JSON_ACCEPT = { accept: 'application/json' }

const GITHUB_ACCOUNTS: Record<string, GitHubAccount> = {
  alice: {
    login: 'alice-gh',
    emails: [
      { email: 'alice@old.example', primary: false, verified: true },
      { email: 'alice@example.com', primary: true, verified: true },
    ],
    orgs: ['acme', 'Other', 'third'],
    teams: ['acme:core', 'acme:docs', 'other:x'],
    repos: { 'acme/private': { push: true, pull: true }, 'acme/public': { push: true, pull: true } },
  },
  bob: { login: 'bobby', emails: [{ email: 'bob@example.com', primary: true, verified: true }], orgs: ['acme'], teams: ['acme:docs'], repos: { 'acme/private': { push: false, pull: true } } },
  // Primary email not verified: no email at all, as oauth2-proxy.
  carol: { login: 'carol', emails: [{ email: 'carol@example.org', primary: true, verified: false }], orgs: [], teams: [] },
}

const REPOS = { 'acme/private': { private: true, collaborators: ['bobby'] }, 'acme/public': { private: false, collaborators: [] } }

describe('github provider', () => {
  let stack: Stack
  let api: GitHubStandIn
  let url: string

  before(async () => {
    const idp = await planIdp()
    api = await startGitHubStandIn({ tokenOwner: idp.tokenOwner, accounts: GITHUB_ACCOUNTS, repos: REPOS, ownerToken: 'owner-pat', maxPageSize: 2 })
    stack = await startOAuth2Stack({ provider: 'github', idp, args: [`--validate-url=${api.url}`, '--pass-access-token'] })
    url = stack.proxy.url
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  const status = async (login: string): Promise<number> => (await stack.signIn(login, '/landing')).result.status

  async function userinfo(client: HttpClient): Promise<{ user?: string; email?: string; groups?: string[] }> {
    const r = await client.get(`${url}/oauth2/userinfo`, { headers: JSON_ACCEPT })
    assert.equal(r.status, 200, r.body)
    return JSON.parse(r.body) as { user?: string; email?: string; groups?: string[] }
  }

  it('signs in: user = login, email = primary verified, groups = orgs and org:team from every page', async () => {
    api.requests.length = 0
    const { client, result } = await stack.signIn('alice', '/landing')
    assert.equal(result.status, 302)
    assert.equal(new URL(result.finalUrl, url).pathname, '/landing')
    const info = await userinfo(client)
    assert.equal(info.user, 'alice-gh')
    assert.equal(info.email, 'alice@example.com')
    assert.deepEqual(info.groups, ['acme', 'Other', 'third', 'acme:core', 'acme:docs', 'other:x'])
    // Two per page here: orgs and teams each take two pages, found through the Link header.
    const orgPages = api.requests.filter((r) => r.path === '/user/orgs').map((r) => new URLSearchParams(r.query).get('page'))
    assert.deepEqual(orgPages, ['1', '2'])
    assert.equal(new URLSearchParams(api.requests.find((r) => r.path === '/user/orgs')?.query).get('per_page'), '100')
    assert.ok(api.requests.every((r) => r.accept === 'application/vnd.github.v3+json' && r.authScheme === 'token'), 'GitHub headers on every call')
    assert.ok(api.requests.some((r) => r.path === '/'), 'the validate URL was called')
    const echo = await client.get(`${url}/who`, { headers: JSON_ACCEPT })
    assert.equal(echo.json<{ headers: Record<string, string> }>().headers['x-forwarded-user'], 'alice-gh')
  })

  it('a primary email that is not verified leaves the email empty', async () => {
    const { client, result } = await stack.signIn('carol', '/')
    assert.equal(result.status, 302)
    const info = await userinfo(client)
    assert.equal(info.user, 'carol')
    assert.equal(info.email ?? '', '')
  })

  it('--github-org admits members and refuses others with 403', async () => {
    await stack.restartProxy(['--github-org=acme'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 302)
    assert.equal(await status('carol'), 403)
    await stack.proxy.waitForLog(/user is missing required organization/)
  })

  it('--github-org with --github-team needs one of the teams (case-insensitive)', async () => {
    await stack.restartProxy(['--github-org=acme', '--github-team=CORE, infra'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 403)
    await stack.proxy.waitForLog(/user is missing required team/)
    assert.equal(await status('carol'), 403)
  })

  it('--github-team as org:team without --github-org', async () => {
    await stack.restartProxy(['--github-team=acme:docs'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 302)
    assert.equal(await status('carol'), 403)
  })

  it('--github-user alone admits only the listed logins', async () => {
    await stack.restartProxy(['--github-user=carol'])
    assert.equal(await status('carol'), 302)
    assert.equal(await status('bob'), 403)
    await stack.proxy.waitForLog(/missing github user/)
  })

  it('--github-user skips the org rule for listed logins; others still need the org', async () => {
    await stack.restartProxy(['--github-user=carol', '--github-org=acme'])
    assert.equal(await status('carol'), 302)
    assert.equal(await status('bob'), 302)
    await stack.restartProxy(['--github-user=alice-gh', '--github-org=nobody'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 403)
  })

  it('--github-repo without a token: push access, or pull access to a private repository', async () => {
    await stack.restartProxy(['--github-repo=acme/private'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 302)
    assert.equal(await status('carol'), 403, 'a hidden private repository (404) is a refusal')
    await stack.restartProxy(['--github-repo=acme/public'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 403, 'everyone can pull a public repository: not enough')
  })

  it('--github-repo with --github-token: the login must be a collaborator (204)', async () => {
    await stack.restartProxy(['--github-repo=acme/private', '--github-token=owner-pat'])
    assert.equal(await status('bob'), 302)
    assert.equal(await status('alice'), 403)
    assert.doesNotMatch(stack.proxy.logs(), /owner-pat/, 'the token is never logged')
  })

  it('--allowed-group matches the org and org:team groups', async () => {
    await stack.restartProxy(['--allowed-group=acme:core'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 403)
  })

  it('with --cookie-refresh the validate URL is asked again; a token the API no longer accepts ends the session', async () => {
    await stack.restartProxy(['--cookie-refresh=1s'])
    const { client } = await stack.signIn('alice', '/')
    const echo = await client.get(`${url}/who`, { headers: JSON_ACCEPT })
    const token = echo.json<{ headers: Record<string, string> }>().headers['x-forwarded-access-token'] ?? ''
    assert.notEqual(token, '')
    await new Promise((r) => setTimeout(r, 2100))
    api.requests.length = 0
    const kept = await client.get(`${url}/again`, { headers: JSON_ACCEPT })
    assert.equal(kept.status, 200)
    assert.ok(api.requests.some((r) => r.path === '/'), 'validated at the validate URL')
    assert.ok(kept.setCookies.some((c) => c.startsWith('_oauth2_proxy=')), 'the session timer was reset and saved')
    const revoked = await fetch(`${stack.idp.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: 'gatehouse-post', client_secret: 'gatehouse-post-secret' }).toString(),
    })
    assert.equal(revoked.status, 200)
    await new Promise((r) => setTimeout(r, 2100))
    const gone = await client.get(`${url}/after-revoke`, { headers: JSON_ACCEPT })
    assert.equal(gone.status, 401)
    assert.doesNotMatch(stack.proxy.logs(), new RegExp(token), 'the access token is never logged')
  })

  it('an API that answers 500 gives a 502 page with a request id and one log line naming the call', async () => {
    await stack.restartProxy([])
    api.mode = 'broken'
    try {
      const { result } = await stack.signIn('alice', '/')
      assert.equal(result.status, 502)
      await stack.proxy.waitForLog('GitHub GET /user/orgs answered 500')
      const lines = stack.proxy.logs().split('\n').filter((l) => l.includes('GitHub GET /user/orgs answered 500'))
      assert.equal(lines.length, 1, lines.join('\n'))
      const requestId = (JSON.parse(lines[0] ?? '{}') as { requestId?: string }).requestId ?? 'none'
      assert.ok(result.response.body.includes(requestId), 'the page shows the request id of the log line')
      assert.doesNotMatch(result.response.body, /GitHub GET/, 'no internal message on the page')
    } finally {
      api.mode = 'ok'
    }
  })

  it('an API that hangs gives a 502 after the bounded provider timeout, naming the call', async () => {
    api.mode = 'hang'
    try {
      const { result } = await stack.signIn('bob', '/')
      assert.equal(result.status, 502)
      await stack.proxy.waitForLog('GitHub GET /user/orgs failed: timed out')
      const lines = stack.proxy.logs().split('\n').filter((l) => l.includes('GitHub GET /user/orgs failed: timed out'))
      assert.equal(lines.length, 1, lines.join('\n'))
    } finally {
      api.mode = 'ok'
    }
  })
})

describe('github provider: GitHub Enterprise (API base /api/v3 from --validate-url)', () => {
  let stack: Stack
  let api: GitHubStandIn
  before(async () => {
    const idp = await planIdp()
    api = await startGitHubStandIn({ tokenOwner: idp.tokenOwner, accounts: GITHUB_ACCOUNTS, basePath: '/api/v3' })
    stack = await startOAuth2Stack({ provider: 'github', idp, args: [`--validate-url=${api.url}`, '--github-org=acme'] })
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  it('calls the API under /api/v3 and signs members in', async () => {
    const { client, result } = await stack.signIn('bob', '/')
    assert.equal(result.status, 302)
    const r = await client.get(`${stack.proxy.url}/oauth2/userinfo`, { headers: JSON_ACCEPT })
    assert.equal(JSON.parse(r.body).user, 'bobby')
    assert.deepEqual([...new Set(api.requests.map((q) => q.path))].sort(), ['/', '/user', '/user/emails', '/user/orgs', '/user/teams'])
  })
})
