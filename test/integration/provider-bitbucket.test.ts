// --provider=bitbucket through the real process: the dev IdP as Bitbucket's OAuth2 server, test/helpers/bitbucket-api.ts
// (which says which Atlassian documentation it follows) as the REST API at --validate-url. Reference §6.1 (bitbucket).
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { ApiStandIn } from '../helpers/api-stand-in.js'
import { startBitbucketStandIn } from '../helpers/bitbucket-api.js'
import { planIdp, startOAuth2Stack } from '../helpers/oauth2-stack.js'
import type { Stack } from '../helpers/stack.js'

describe('bitbucket provider', () => {
  let stack: Stack
  let api: ApiStandIn

  before(async () => {
    const idp = await planIdp()
    api = await startBitbucketStandIn({
      tokenOwner: idp.tokenOwner,
      accounts: {
        alice: {
          emails: [
            { email: 'a1@example.com', is_primary: false, is_confirmed: true },
            { email: 'a2@example.com', is_primary: false, is_confirmed: true },
            { email: 'alice@example.com', is_primary: true, is_confirmed: true },
          ],
          teams: ['other', 'friends', 'acme'],
          repositories: ['acme/wiki'],
        },
        bob: { emails: [{ email: 'bob@example.com', is_primary: true, is_confirmed: true }], teams: ['other'], repositories: [] },
      },
    })
    stack = await startOAuth2Stack({ provider: 'bitbucket', idp, args: [`--validate-url=${api.origin}/2.0/user/emails`] })
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  const status = async (login: string): Promise<number> => (await stack.signIn(login, '/')).result.status

  it('signs in with the primary email (every page), the token sent as ?access_token=, no user', async () => {
    api.requests.length = 0
    const { client, result } = await stack.signIn('alice', '/x')
    assert.equal(result.status, 302)
    const info = JSON.parse((await client.get(`${stack.proxy.url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })).body) as { email?: string; user?: string }
    assert.equal(info.email, 'alice@example.com')
    assert.ok(api.requests.length >= 3, 'two pages of emails, then the validate URL')
    assert.ok(api.requests.every((r) => r.url.searchParams.has('access_token') && r.headers.authorization === undefined))
    assert.equal(new URL(result.steps[1]?.location ?? '').searchParams.get('scope'), 'email')
  })

  it('--bitbucket-team admits members (across pages) and refuses others with 403; the team scope is asked for', async () => {
    await stack.restartProxy(['--bitbucket-team=acme'])
    const { result } = await stack.signIn('alice', '/')
    assert.equal(result.status, 302)
    assert.equal(new URL(result.steps[1]?.location ?? '').searchParams.get('scope'), 'email team')
    assert.equal(await status('bob'), 403)
    await stack.proxy.waitForLog('Bitbucket restriction: not a member of team acme')
  })

  it('--bitbucket-repository needs contributor access', async () => {
    await stack.restartProxy(['--bitbucket-repository=acme/wiki'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 403)
    assert.ok(api.requests.some((r) => r.url.pathname === '/2.0/repositories/acme' && r.url.searchParams.get('q') === 'full_name="acme/wiki"'))
  })

  it('an API that answers 500 gives a 502 naming the call', async () => {
    await stack.restartProxy([])
    api.mode = 'broken'
    try {
      assert.equal(await status('bob'), 502)
      await stack.proxy.waitForLog('Bitbucket GET /2.0/user/emails answered 500: Something went wrong')
    } finally {
      api.mode = 'ok'
    }
  })
})
