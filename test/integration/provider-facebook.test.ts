// --provider=facebook through the real process: the dev IdP as Facebook's OAuth2 server and test/helpers/facebook-api.ts
// (which names the Graph API documentation it follows) as the Graph API. Reference §6.1.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { ApiStandIn } from '../helpers/api-stand-in.js'
import { startFacebookStandIn } from '../helpers/facebook-api.js'
import { assertBrokenApiIs502, planIdp, signInIdentity, startOAuth2Stack } from '../helpers/oauth2-stack.js'
import type { Stack } from '../helpers/stack.js'

describe('facebook provider', () => {
  let stack: Stack
  let api: ApiStandIn
  before(async () => {
    const idp = await planIdp()
    // carol's account shares no email (a phone-number account).
    api = await startFacebookStandIn({ tokenOwner: idp.tokenOwner, users: { alice: { name: 'Alice', email: 'alice@example.com' }, carol: { name: 'Carol' } } })
    stack = await startOAuth2Stack({ provider: 'facebook', idp, args: [`--profile-url=${api.origin}/v2.5/me`, `--validate-url=${api.origin}/v2.5/me`] })
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  it('signs in with the email of /me?fields=name,email, asking the default scope', async () => {
    api.requests.length = 0
    const { client, result } = await stack.signIn('alice', '/')
    assert.equal(result.status, 302)
    assert.equal(new URL(result.steps[1]?.location ?? '').searchParams.get('scope'), 'public_profile email')
    const info = JSON.parse((await client.get(`${stack.proxy.url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })).body) as { email?: string }
    assert.equal(info.email, 'alice@example.com')
    assert.equal(api.requests[0]?.url.searchParams.get('fields'), 'name,email')
  })

  it('an account without an email is refused with 403, not a 5xx', async () => {
    assert.equal((await signInIdentity(stack, 'carol')).status, 403)
    await stack.proxy.waitForLog('Facebook answered no email address for this account')
  })

  it('an API that answers 500 gives a 502 naming the call', async () => {
    await assertBrokenApiIs502(stack, api, 'alice', 'Facebook GET /me answered 500')
  })
})
