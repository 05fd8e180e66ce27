// --provider=keycloak (oauth2-proxy's legacy, plain OAuth2 Keycloak provider) through the real process. No stand-in:
// the dev IdP plays the Keycloak realm, its authorization and token endpoints behind --login-url/--redeem-url and its
// real OpenID Connect userinfo endpoint behind --profile-url/--validate-url (Keycloak's userinfo answers the same
// claims: email, preferred_username, groups). Reference §6.1 (keycloak), §1.6 (--keycloak-group).
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { planIdp, startOAuth2Stack, type PlannedIdp } from '../helpers/oauth2-stack.js'
import type { Stack } from '../helpers/stack.js'

const JSON_ACCEPT = { accept: 'application/json' }
// Keycloak (since 20) only answers userinfo for tokens with the openid scope, as this IdP does.
const SCOPE = '--scope=openid email profile groups'

describe('keycloak (legacy) provider', () => {
  let stack: Stack
  let idp: PlannedIdp
  let url: string

  before(async () => {
    idp = await planIdp()
    stack = await startOAuth2Stack({ provider: 'keycloak', idp, args: [SCOPE, `--profile-url=${idp.issuer}/me`, `--validate-url=${idp.issuer}/me`] })
    url = stack.proxy.url
  })
  after(() => stack?.close())

  const status = async (login: string): Promise<number> => (await stack.signIn(login, '/')).result.status

  it('signs in: email, groups and preferred_username (as user) from userinfo; the validate URL is asked too', async () => {
    stack.idp.resetStats()
    const { client, result } = await stack.signIn('alice', '/somewhere')
    assert.equal(result.status, 302)
    assert.equal(new URL(result.finalUrl, url).pathname, '/somewhere')
    const r = await client.get(`${url}/oauth2/userinfo`, { headers: JSON_ACCEPT })
    const info = JSON.parse(r.body) as { user?: string; email?: string; groups?: string[]; preferredUsername?: string }
    assert.equal(info.user, 'alice')
    assert.equal(info.email, 'alice@example.com')
    assert.deepEqual(info.groups, ['admins', 'developers'])
    assert.equal(info.preferredUsername, 'alice')
    assert.equal(stack.idp.stats.userinfoCalls, 2, 'once for the identity (--profile-url), once for --validate-url')
    assert.equal(stack.idp.stats.tokenGrants['authorization_code'], 1)
  })

  it('--keycloak-group admits members and refuses others with 403', async () => {
    await stack.restartProxy(['--keycloak-group=admins'])
    assert.equal(await status('alice'), 302)
    assert.equal(await status('bob'), 403)
  })

  it('--keycloak-group replaces --allowed-group', async () => {
    await stack.restartProxy(['--keycloak-group=admins', '--allowed-group=developers'])
    assert.equal(await status('bob'), 403)
    assert.equal(await status('alice'), 302)
  })

  it('--allowed-group applies when no --keycloak-group is set', async () => {
    await stack.restartProxy(['--allowed-group=developers'])
    assert.equal(await status('bob'), 302)
    assert.equal(await status('carol'), 403)
  })

  it('without --profile-url the identity is read from --validate-url', async () => {
    await stack.restartProxy([])
    stack.idp.resetStats()
    const { result } = await stack.signIn('bob', '/')
    assert.equal(result.status, 302)
    assert.equal(stack.idp.stats.userinfoCalls, 2)
  })

  it('a userinfo endpoint that refuses the token fails the sign-in with a 502 naming the call', async () => {
    // A scope without openid: the IdP issues a token its userinfo endpoint does not accept.
    await stack.restartProxy(['--scope=api', `--profile-url=${idp.issuer}/me`])
    const { result } = await stack.signIn('alice', '/')
    assert.equal(result.status, 502)
    await stack.proxy.waitForLog(/Keycloak GET userinfo \(--profile-url\) answered 40[13]/)
  })
})
