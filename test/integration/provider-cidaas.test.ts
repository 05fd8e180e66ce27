// --provider=cidaas through the real process, against the dev IdP answering userinfo in cidaas's shape: `groups` as
// [{groupId, roles[]}] and top-level `roles` (userinfoClaims, released by userinfo only). Reference §6.1 (cidaas), §6.4.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { devUser } from '../helpers/dev-users.js'
import { expectFailuresLogged, identityOf } from '../helpers/provider-checks.js'
import { startStack, type Stack } from '../helpers/stack.js'

function cidaasUser(name: string, groups: { groupId: string; roles: string[] }[], roles: string[]): DevUser {
  return devUser(name, { sub: `${name}-id`, email: `${name}@shop.example`, userinfoClaims: { groups, roles } })
}

const USERS = [
  cidaasUser('ida', [{ groupId: 'CIDAAS_ADMINS', roles: ['ADMIN'] }, { groupId: 'shop-team', roles: ['USER', 'EDITOR'] }], ['USER']),
  cidaasUser('jon', [{ groupId: 'shop-team', roles: ['USER'] }], []),
]

describe('cidaas provider', () => {
  let stack: Stack
  let url: string

  before(async () => {
    stack = await startStack({
      idp: { users: USERS },
      replaceArgs: (defaults) => defaults.map((a) => (a === '--provider=oidc' ? '--provider=cidaas' : a)),
    })
    url = stack.proxy.url
  })
  after(() => stack?.close())

  it('turns userinfo groups into groupId:role and roles into cidaas:role, with the default scope and no nonce', async () => {
    stack.idp.requests.length = 0
    const { client, result } = await stack.signIn('ida')
    assert.equal(result.status, 302)
    const auth = stack.idp.requests.find((r) => r.route === 'authorization')
    assert.equal(auth?.params['scope'], 'openid email profile roles groups')
    assert.equal(auth?.params['nonce'], undefined)
    assert.deepEqual((await identityOf(client, url)).groups, ['CIDAAS_ADMINS:ADMIN', 'shop-team:USER', 'shop-team:EDITOR', 'cidaas:USER'])
  })

  it('--allowed-group matches groupId:role and cidaas:role', async () => {
    await stack.restartProxy(['--allowed-group=CIDAAS_ADMINS:ADMIN'])
    assert.equal((await stack.signIn('ida')).result.status, 302)
    assert.equal((await stack.signIn('jon')).result.status, 403)
    await stack.restartProxy(['--allowed-group=cidaas:USER'])
    assert.equal((await stack.signIn('ida')).result.status, 302)
    assert.equal((await stack.signIn('jon')).result.status, 403)
  })

  it('reads the groups again after a refresh', async () => {
    await stack.restartProxy(['--cookie-refresh=1s'])
    const { client } = await stack.signIn('jon')
    assert.deepEqual((await identityOf(client, url)).groups, ['shop-team:USER'])
    const jon = stack.idp.users.find((u) => u.sub === 'jon-id')
    assert.ok(jon?.userinfoClaims)
    jon.userinfoClaims = { groups: [{ groupId: 'shop-team', roles: ['USER', 'EDITOR'] }], roles: ['SUPPORT'] }
    stack.idp.resetStats()
    await new Promise((r) => setTimeout(r, 2100))
    assert.equal((await client.get(`${url}/after-refresh`)).status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1)
    assert.deepEqual((await identityOf(client, url)).groups, ['shop-team:USER', 'shop-team:EDITOR', 'cidaas:SUPPORT'])
  })

  it('a failing or hanging userinfo gives a 5xx with a request id and one log line naming the call', async () => {
    const userinfo = (mode: 'error' | 'hang') => ({ on: () => (stack.idp.faults.userinfo = mode), off: () => delete stack.idp.faults.userinfo, logged: /userinfo request failed/ })
    await expectFailuresLogged(stack, 'ida', [userinfo('error'), userinfo('hang')], 502)
  })
})
