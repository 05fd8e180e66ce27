// --provider=digitalocean through the real process: the dev IdP as DigitalOcean's OAuth2 server and
// test/helpers/digitalocean-api.ts (which names the DigitalOcean documentation it follows) as the API. Reference §6.1.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { ApiStandIn } from '../helpers/api-stand-in.js'
import { startDigitalOceanStandIn } from '../helpers/digitalocean-api.js'
import { assertBrokenApiIs502, planIdp, signInIdentity, startOAuth2Stack } from '../helpers/oauth2-stack.js'
import type { Stack } from '../helpers/stack.js'

describe('digitalocean provider', () => {
  let stack: Stack
  let api: ApiStandIn
  before(async () => {
    const idp = await planIdp()
    api = await startDigitalOceanStandIn({ tokenOwner: idp.tokenOwner, emails: { alice: 'alice@example.com', bob: 'bob@corp.example' } })
    stack = await startOAuth2Stack({ provider: 'digitalocean', idp, emailDomains: ['example.com'], args: [`--profile-url=${api.origin}/v2/account`, `--validate-url=${api.origin}/v2/account`] })
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  it('signs in with account.email; the token goes as a Bearer header to the profile and validate URLs', async () => {
    api.requests.length = 0
    const { status, info } = await signInIdentity(stack, 'alice')
    assert.equal(status, 302)
    assert.equal(info?.email, 'alice@example.com')
    assert.equal(api.requests.length, 2)
    assert.ok(api.requests.every((r) => /^Bearer /.test(r.headers.authorization ?? '') && r.url.pathname === '/v2/account'))
  })

  it('--email-domain=example.com refuses other addresses with 403', async () => {
    assert.equal((await signInIdentity(stack, 'alice')).status, 302)
    assert.equal((await signInIdentity(stack, 'bob')).status, 403)
  })

  it('an API that answers 500 gives a 502 naming the call', async () => {
    await assertBrokenApiIs502(stack, api, 'alice', 'DigitalOcean GET /v2/account answered 500: Unexpected server-side error')
  })
})
