// --provider=keycloak-oidc through the real process, against the dev IdP shaped like a Keycloak realm: issuer
// /realms/demo, JWT access tokens carrying realm_access / resource_access (only in the access token, as Keycloak's
// "roles" client scope does by default), and a groups claim with full group paths. Reference §6.1 (keycloak-oidc),
// §1.6 (--allowed-role), §6.4.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { keycloakUser } from '../helpers/dev-users.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

const USERS: DevUser[] = [
  keycloakUser('anna', ['/staff'], ['offline_access', 'admin'], { wiki: ['editor'], account: ['manage-account'] }),
  keycloakUser('ben', ['/guests'], ['offline_access'], { wiki: ['reader'] }),
  keycloakUser('cleo', ['/guests'], ['offline_access'], { other: ['editor'] }),
  // dan's ID token claims the admin realm role; his access token does not.
  { ...keycloakUser('dan', ['/guests'], ['offline_access'], {}), extraClaims: { realm_access: { roles: ['admin'] } } },
]

describe('keycloak-oidc provider', () => {
  let stack: Stack
  let url: string

  before(async () => {
    stack = await startStack({
      idp: { issuerPath: '/realms/demo', users: USERS, jwtAccessTokens: { audience: 'gatehouse' } },
      replaceArgs: (defaults) => defaults.map((a) => (a === '--provider=oidc' ? '--provider=keycloak-oidc' : a)),
      // Groups ride in the ID token (Keycloak's group mapper); the dev IdP's userinfo refuses JWT access tokens.
      args: ['--scope=openid email profile groups', '--code-challenge-method=S256'],
    })
    url = stack.proxy.url
  })
  after(async () => {
    await stack.close()
  })

  async function signIn(login: string): Promise<{ client: HttpClient; status: number }> {
    const { client, result } = await stack.signIn(login, '/landing')
    return { client, status: result.status }
  }

  async function userinfo(client: HttpClient): Promise<{ user: string; email: string; groups?: string[]; preferredUsername?: string }> {
    const r = await client.get(`${url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })
    assert.equal(r.status, 200, r.body)
    return JSON.parse(r.body) as { user: string; email: string; groups?: string[] }
  }

  it('puts realm roles as role:<r> and client roles as role:<client>:<r> after the groups', async () => {
    const { client, status } = await signIn('anna')
    assert.equal(status, 302)
    const info = await userinfo(client)
    assert.equal(info.user, 'anna-id')
    assert.deepEqual(info.groups, ['/staff', 'role:offline_access', 'role:admin', 'role:wiki:editor', 'role:account:manage-account'])
  })

  it('reads the roles again from the new access token on refresh, without repeating them', async () => {
    await stack.restartProxy(['--cookie-refresh=1s'])
    const { client, status } = await signIn('anna')
    assert.equal(status, 302)
    const before = stack.idp.stats.tokenGrants['refresh_token'] ?? 0
    // createdAt is kept to the second, so the session is surely older than 1s after 2.1s.
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    const info = await userinfo(client)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], before + 1)
    assert.deepEqual(info.groups, ['/staff', 'role:offline_access', 'role:admin', 'role:wiki:editor', 'role:account:manage-account'])
  })

  it('--allowed-role admits a realm role or a client:role, and refuses everyone else with 403', async () => {
    await stack.restartProxy(['--allowed-role=admin', '--allowed-role=wiki:reader'])
    assert.equal((await signIn('anna')).status, 302)
    assert.equal((await signIn('ben')).status, 302)
    // cleo holds "editor" only on another client, and no matching realm role.
    assert.equal((await signIn('cleo')).status, 403)
  })

  it('--allowed-role and --allowed-group add up: any match passes, checked on every request', async () => {
    await stack.restartProxy(['--allowed-role=wiki:editor', '--allowed-group=/guests'])
    const anna = await signIn('anna')
    assert.equal(anna.status, 302)
    const cleo = await signIn('cleo')
    assert.equal(cleo.status, 302)
    // A narrower rule after a restart applies to existing sessions at once (oauth2-proxy authorizes every request).
    await stack.restartProxy(['--allowed-role=wiki:editor'])
    assert.equal((await anna.client.get(`${url}/app`)).status, 200)
    assert.equal((await cleo.client.get(`${url}/app`, { headers: { accept: 'application/json' } })).status, 403)
  })

  it('roles come from the access token only: a role claim in the ID token grants nothing', async () => {
    await stack.restartProxy(['--allowed-role=admin'])
    assert.equal((await signIn('dan')).status, 403)
    assert.equal((await signIn('anna')).status, 302)
  })
})

describe('keycloak-oidc provider without the audience mapper', () => {
  let stack: Stack

  before(async () => {
    stack = await startStack({
      // Keycloak's default access-token audience is "account", not the client: oauth2-proxy then fails the sign-in.
      idp: { issuerPath: '/realms/demo', users: USERS, jwtAccessTokens: { audience: 'account' } },
      replaceArgs: (defaults) => defaults.map((a) => (a === '--provider=oidc' ? '--provider=keycloak-oidc' : a)),
      args: ['--scope=openid email profile groups'],
    })
  })
  after(async () => {
    await stack.close()
  })

  it('refuses the sign-in with a 500 because the access token is not for this client; --oidc-extra-audience fixes it', async () => {
    const refused = await stack.signIn('anna', '/landing')
    assert.equal(refused.result.status, 500)
    await stack.restartProxy(['--oidc-extra-audience=account'])
    const admitted = await stack.signIn('anna', '/landing')
    assert.equal(admitted.result.status, 302)
  })
})
