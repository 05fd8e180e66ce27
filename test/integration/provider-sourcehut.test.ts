// --provider=sourcehut through the real process: the dev IdP as meta.sr.ht's OAuth2 server and
// test/helpers/sourcehut-api.ts (which names the SourceHut documentation it follows) as the GraphQL API. Reference §6.1.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { ApiStandIn } from '../helpers/api-stand-in.js'
import { assertBrokenApiIs502, planIdp, signInIdentity, startOAuth2Stack } from '../helpers/oauth2-stack.js'
import { startSourceHutStandIn } from '../helpers/sourcehut-api.js'
import type { Stack } from '../helpers/stack.js'

describe('sourcehut provider', () => {
  let stack: Stack
  let api: ApiStandIn
  before(async () => {
    const idp = await planIdp()
    api = await startSourceHutStandIn({ tokenOwner: idp.tokenOwner, users: { alice: { username: 'alice', email: 'alice@example.com' }, bob: { username: 'bob', email: 'bob@corp.example' } } })
    stack = await startOAuth2Stack({ provider: 'sourcehut', idp, emailDomains: ['example.com'], args: [`--profile-url=${api.origin}/query`, `--validate-url=${api.origin}/profile`] })
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), api?.close()])
  })

  it('signs in: user = username, email from the GraphQL query { me { username, email } }; /profile validates', async () => {
    api.requests.length = 0
    const { status, info } = await signInIdentity(stack, 'alice')
    assert.equal(status, 302)
    assert.equal(info?.user, 'alice')
    assert.equal(info?.email, 'alice@example.com')
    assert.deepEqual(api.requests.map((r) => `${r.method} ${r.url.pathname}`), ['POST /query', 'GET /profile'])
    assert.equal(api.requests[0]?.headers['content-type'], 'application/json')
  })

  it('--email-domain=example.com refuses other addresses with 403', async () => {
    assert.equal((await signInIdentity(stack, 'bob')).status, 403)
  })

  it('an API that answers 500 gives a 502 naming the call', async () => {
    await assertBrokenApiIs502(stack, api, 'alice', 'SourceHut POST /query answered 500: Internal server error')
  })
})
