// --provider=nextcloud through the real process: the dev IdP as Nextcloud's OAuth2 server and
// test/helpers/nextcloud-api.ts (which names the Nextcloud documentation it follows) as the OCS API. Reference §6.1.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { ApiStandIn } from '../helpers/api-stand-in.js'
import { startNextcloudStandIn } from '../helpers/nextcloud-api.js'
import { assertBrokenApiIs502, planIdp, signInIdentity, startOAuth2Stack } from '../helpers/oauth2-stack.js'
import type { Stack } from '../helpers/stack.js'

describe('nextcloud provider', () => {
  let stack: Stack
  let api: ApiStandIn
  before(async () => {
    const idp = await planIdp()
    api = await startNextcloudStandIn({ tokenOwner: idp.tokenOwner, users: { alice: { id: 'alice', email: 'alice@example.com', groups: ['admin', 'staff'] }, bob: { id: 'bob', email: 'bob@example.com', groups: ['staff'] } } })
    // Nextcloud ignores scopes (oauth2-proxy sends none); the dev IdP needs one to grant a token.
    stack = await startOAuth2Stack({ provider: 'nextcloud', idp, args: ['--scope=read', `--validate-url=${api.origin}/ocs/v2.php/cloud/user?format=json`] })
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  it('signs in: user = ocs.data.id, email, groups (read from --validate-url without --profile-url)', async () => {
    api.requests.length = 0
    const { status, info } = await signInIdentity(stack, 'alice')
    assert.equal(status, 302)
    assert.equal(info?.user, 'alice')
    assert.equal(info?.email, 'alice@example.com')
    assert.deepEqual(info?.groups, ['admin', 'staff'])
    assert.equal(api.requests.length, 2)
    assert.ok(api.requests.every((r) => r.url.searchParams.get('format') === 'json' && /^Bearer /.test(r.headers.authorization ?? '')))
  })

  it('--allowed-group admits members of the Nextcloud group and refuses others with 403', async () => {
    await stack.restartProxy(['--allowed-group=admin'])
    assert.equal((await signInIdentity(stack, 'alice')).status, 302)
    assert.equal((await signInIdentity(stack, 'bob')).status, 403)
  })

  it('an API that answers 500 gives a 502 naming the call', async () => {
    await assertBrokenApiIs502(stack, api, 'alice', 'Nextcloud GET OCS user answered 500')
  })
})
