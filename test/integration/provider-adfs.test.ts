// --provider=adfs through the real process, against the dev IdP behaving like Active Directory Federation Services
// (`adfs: true`: `<resource>/openid` scopes, `state` decoded once more on the way back) with ADFS-shaped accounts:
// `upn` and no `email` claim for the directory account, groups from the claim rules. Reference §6.1 (adfs), §5.4.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { devUser } from '../helpers/dev-users.js'
import { expectFailuresLogged, identityOf } from '../helpers/provider-checks.js'
import { startStack, type Stack } from '../helpers/stack.js'

const RESOURCE = 'https://apps.corp.example/portal'

function adfsUser(name: string, email: string, groups: string[]): DevUser {
  return devUser(name, {
    sub: `${name}-sid`,
    email,
    groups,
    // ADFS claim rules put the UPN and the groups into the ID token.
    extraClaims: { upn: `${name}@corp.example`, groups },
  })
}

const USERS = [adfsUser('ada', '', ['Domain Admins', 'Portal Users']), adfsUser('bo', 'bo@mail.example', ['Portal Users']), adfsUser('cy', '', [])]

describe('adfs provider', () => {
  let stack: Stack
  let url: string

  before(async () => {
    stack = await startStack({
      idp: { issuerPath: '/adfs', users: USERS, adfs: true },
      replaceArgs: (defaults) => defaults.map((a) => (a === '--provider=oidc' ? '--provider=adfs' : a)),
      args: [`--resource=${RESOURCE}`],
    })
    url = stack.proxy.url
  })
  after(() => stack?.close())

  it('prefixes the scope with the resource, escapes state once more, sends no nonce and uses upn without an email', async () => {
    stack.idp.requests.length = 0
    const { client, result } = await stack.signIn('ada', '/reports?year=2026&q=a b')
    assert.equal(result.status, 302)
    // The original path and query survive the extra escaping round trip.
    assert.equal(result.finalUrl, `${url}/reports?year=2026&q=a%20b`)
    const auth = stack.idp.requests.find((r) => r.route === 'authorization')
    assert.equal(auth?.params['scope'], `${RESOURCE}/openid email profile`)
    assert.equal(auth?.params['nonce'], undefined)
    // state is "<csrf token>:<redirect>": its ':' arrives as %253A, encoded twice.
    assert.match(auth?.rawQuery ?? '', /(^|&)state=[^&]*%253A%252Freports%253Fyear%253D2026%2526q%253Da%25(2520|252B)b(&|$)/)
    const info = await identityOf(client, url)
    assert.equal(info.email, 'ada@corp.example')
    assert.equal(info.user, 'ada-sid')
    assert.deepEqual(info.groups, ['Domain Admins', 'Portal Users'])
  })

  it('prefers the email claim when the account has one', async () => {
    assert.equal((await identityOf((await stack.signIn('bo')).client, url)).email, 'bo@mail.example')
  })

  it('--allowed-group admits members and refuses the others with 403', async () => {
    await stack.restartProxy(['--allowed-group=Domain Admins'])
    assert.equal((await stack.signIn('ada')).result.status, 302)
    assert.equal((await stack.signIn('bo')).result.status, 403)
    assert.equal((await stack.signIn('cy')).result.status, 403)
  })

  it('keeps the upn as the email after a refresh', async () => {
    await stack.restartProxy(['--cookie-refresh=1s'])
    const { client } = await stack.signIn('ada')
    stack.idp.resetStats()
    await new Promise((r) => setTimeout(r, 2100))
    assert.equal((await client.get(`${url}/after-refresh`)).status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1)
    assert.equal((await identityOf(client, url)).email, 'ada@corp.example')
  })

  it('a failing or hanging token endpoint gives a 5xx with a request id and one log line naming the call', async () => {
    const token = (mode: 'error' | 'hang') => ({ on: () => (stack.idp.faults.token = mode), off: () => delete stack.idp.faults.token, logged: /code exchange failed/ })
    await expectFailuresLogged(stack, 'ada', [token('error'), token('hang')])
  })
})
