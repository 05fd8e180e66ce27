// --provider=cidaas through the real process, against the dev IdP answering userinfo in cidaas's shape: `groups` as
// [{groupId, roles[]}] and top-level `roles` (userinfoClaims, released by userinfo only). Reference §6.1 (cidaas), §6.4.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

function cidaasUser(name: string, groups: { groupId: string; roles: string[] }[], roles: string[]): DevUser {
  return {
    sub: `${name}-id`,
    email: `${name}@shop.example`,
    emailVerified: true,
    name,
    preferredUsername: name,
    groups: [],
    password: `${name}-password`,
    userinfoClaims: { groups, roles },
  }
}

const USERS = [
  cidaasUser('ida', [{ groupId: 'CIDAAS_ADMINS', roles: ['ADMIN'] }, { groupId: 'shop-team', roles: ['USER', 'EDITOR'] }], ['USER']),
  cidaasUser('jon', [{ groupId: 'shop-team', roles: ['USER'] }], []),
]

async function groupsOf(client: HttpClient, url: string): Promise<string[] | undefined> {
  const r = await client.get(`${url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })
  assert.equal(r.status, 200, r.body)
  return (JSON.parse(r.body) as { groups?: string[] }).groups
}

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
    assert.deepEqual(await groupsOf(client, url), ['CIDAAS_ADMINS:ADMIN', 'shop-team:USER', 'shop-team:EDITOR', 'cidaas:USER'])
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
    assert.deepEqual(await groupsOf(client, url), ['shop-team:USER'])
    const jon = stack.idp.users.find((u) => u.sub === 'jon-id')
    assert.ok(jon?.userinfoClaims)
    jon.userinfoClaims = { groups: [{ groupId: 'shop-team', roles: ['USER', 'EDITOR'] }], roles: ['SUPPORT'] }
    stack.idp.resetStats()
    await new Promise((r) => setTimeout(r, 2100))
    assert.equal((await client.get(`${url}/after-refresh`)).status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1)
    assert.deepEqual(await groupsOf(client, url), ['shop-team:USER', 'shop-team:EDITOR', 'cidaas:SUPPORT'])
  })

  it('a failing or hanging userinfo gives a 5xx with a request id and one log line naming the call', async () => {
    await stack.restartProxy([])
    const bodies: string[] = []
    for (const mode of ['error', 'hang'] as const) {
      stack.idp.faults.userinfo = mode
      try {
        const { result } = await stack.signIn('ida')
        assert.equal(result.status, 502)
        bodies.push(result.response.body)
      } finally {
        delete stack.idp.faults.userinfo
      }
    }
    await stack.proxy.waitForLog(/userinfo request failed(.|\n)*userinfo request failed/)
    const lines = stack.proxy.logs().split('\n').filter((l) => l.includes('"http.error"'))
    assert.equal(lines.length, 2, lines.join('\n'))
    lines.forEach((line, i) => {
      assert.match(line, /userinfo request failed/)
      assert.ok(bodies[i]?.includes((JSON.parse(line) as { requestId: string }).requestId), 'the page shows the logged request id')
    })
  })
})
