// --provider=linkedin through the real process: the dev IdP as LinkedIn's OAuth2 server and test/helpers/linkedin-api.ts
// (which names the LinkedIn API documentation it follows) as the API. Reference §6.1.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { ApiStandIn } from '../helpers/api-stand-in.js'
import { startLinkedInStandIn } from '../helpers/linkedin-api.js'
import { assertBrokenApiIs502, planIdp, signInIdentity, startOAuth2Stack } from '../helpers/oauth2-stack.js'
import type { Stack } from '../helpers/stack.js'

describe('linkedin provider', () => {
  let stack: Stack
  let api: ApiStandIn
  before(async () => {
    const idp = await planIdp()
    api = await startLinkedInStandIn({ tokenOwner: idp.tokenOwner, emails: { alice: 'alice@example.com', bob: 'bob@corp.example' } })
    stack = await startOAuth2Stack({ provider: 'linkedin', idp, emailDomains: ['example.com'], args: [`--profile-url=${api.origin}/v2/emailAddress`, `--validate-url=${api.origin}/v2/me`] })
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  it('signs in with elements[0]["handle~"].emailAddress; /v2/me validates; LinkedIn headers on both', async () => {
    api.requests.length = 0
    const { status, info } = await signInIdentity(stack, 'alice')
    assert.equal(status, 302)
    assert.equal(info?.email, 'alice@example.com')
    assert.deepEqual(api.requests.map((r) => r.url.pathname), ['/v2/emailAddress', '/v2/me'])
    assert.ok(api.requests.every((r) => r.headers['x-li-format'] === 'json' && /^Bearer /.test(r.headers.authorization ?? '')))
  })

  it('--email-domain=example.com refuses other addresses with 403', async () => {
    assert.equal((await signInIdentity(stack, 'bob')).status, 403)
    assert.equal((await signInIdentity(stack, 'alice')).status, 302)
  })

  it('an API that answers 500 gives a 502 naming the call', async () => {
    await assertBrokenApiIs502(stack, api, 'alice', 'LinkedIn GET /v2/emailAddress answered 500: Internal Server Error')
  })
})
