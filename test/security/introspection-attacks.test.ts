// Attacks on --introspect-bearer-tokens through the real process and the real dev IdP's RFC 7662 endpoint. A valid
// opaque token passes first; each attack must then never reach the upstream: 401 for a token that is no live access
// token of this client, 503 (with a request id, never 200) when the endpoint fails or hangs. Classes: "JWT-looking
// garbage", "made-up opaque token", "malformed token (no network call)", "revoked token", "refresh token presented as
// an access token", "another client's token", "endpoint errors", "endpoint hangs (bounded by the provider timeout)",
// "a failure is not cached".
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { DEFAULT_DEV_CLIENTS, type DevClient } from '../../src/dev/idp.js'
import { revokeAtIdp, tokensFor } from '../helpers/idp-tokens.js'
import { startStack, type Stack } from '../helpers/stack.js'

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const OTHER: DevClient = { clientId: 'other-app', clientSecret: 'other-secret', authMethod: 'client_secret_basic', redirectUris: ['http://127.0.0.1:*/**'] }

describe('introspection attacks', () => {
  let stack: Stack
  let url: string

  before(async () => {
    stack = await startStack({ idp: { clients: [...DEFAULT_DEV_CLIENTS, OTHER] }, args: ['--introspect-bearer-tokens'] })
    url = stack.proxy.url
  })
  after(async () => {
    await stack.close()
  })

  async function send(authorization: string): Promise<{ status: number; body: string; reachedUpstream: boolean }> {
    const r = await stack.client().get(`${url}/api/data`, { headers: { authorization, accept: 'application/json' } })
    // Only the echo upstream answers with the digest of the body it received.
    return { status: r.status, body: r.body, reachedUpstream: r.body.includes('"bodySha256"') }
  }

  async function assertRefused(token: string, what: string, status = 401): Promise<{ body: string }> {
    const r = await send(`Bearer ${token}`)
    assert.equal(r.status, status, what)
    assert.equal(r.reachedUpstream, false, `${what}: the upstream was reached`)
    return r
  }

  it('lets the control token through', async () => {
    const { accessToken } = await tokensFor(stack.idp, 'alice')
    assert.equal((await send(`Bearer ${accessToken}`)).status, 200)
  })

  it('JWT-looking garbage', async () => {
    await assertRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', aud: 'gatehouse', exp: 4102444800 })}.`, 'alg none, no signature')
    await assertRefused(`${b64({ alg: 'RS256' })}.${b64({ sub: 'admin', active: true })}.c2lnbmF0dXJl`, 'a made-up signature')
    await assertRefused(await stack.idp.signJwt({ sub: 'alice', aud: 'gatehouse', email: 'alice@example.com' }), "a JWT well signed by the IdP is no token it issued")
  })

  it('made-up opaque token', async () => {
    await assertRefused('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'a random token of the right length')
    await assertRefused('active', 'a word')
  })

  it('malformed token (refused without a network call)', async () => {
    const before = stack.idp.stats.introspectionCalls
    for (const token of ['a"b', 'tok%20en', 'x'.repeat(5000), 'tok,en', '=abc']) await assertRefused(token, JSON.stringify(token.slice(0, 20)))
    assert.equal(stack.idp.stats.introspectionCalls, before)
  })

  it('revoked token', async () => {
    const { accessToken } = await tokensFor(stack.idp, 'bob')
    await revokeAtIdp(stack.idp, accessToken)
    await assertRefused(accessToken, 'revoked before its first use')
  })

  it('refresh token presented as an access token', async () => {
    const { refreshToken } = await tokensFor(stack.idp, 'alice')
    assert.ok(refreshToken !== undefined, 'the confidential client gets a refresh token')
    await assertRefused(refreshToken, 'an active refresh token of this very client')
  })

  it("another client's token", async () => {
    const { accessToken } = await tokensFor(stack.idp, 'alice', 'alice-password', { clientId: 'other-app', clientSecret: 'other-secret', authMethod: 'client_secret_basic' })
    await assertRefused(accessToken, 'a live token issued to other-app')
  })

  it('endpoint errors: 503 with a request id, never 200; a failure is not cached', async () => {
    const { accessToken } = await tokensFor(stack.idp, 'bob')
    stack.idp.faults.introspection = 'error'
    try {
      const r = await assertRefused(accessToken, 'the endpoint answers 500', 503)
      assert.match(r.body, /request/i)
      assert.doesNotMatch(r.body, /injected by the test/, 'the provider\'s message stays in the log')
    } finally {
      delete stack.idp.faults.introspection
    }
    assert.equal((await send(`Bearer ${accessToken}`)).status, 200, 'asked again once the endpoint is back')
  })

  it('endpoint hangs: 503 once the provider timeout has passed, never a pass', async () => {
    const { accessToken } = await tokensFor(stack.idp, 'carol')
    stack.idp.faults.introspection = 'hang'
    try {
      await assertRefused(accessToken, 'no answer at all', 503)
    } finally {
      delete stack.idp.faults.introspection
    }
  })

  it('never logs a token', async () => {
    const logs = stack.proxy.logs()
    assert.match(logs, /auth\.introspection\.unavailable/)
    assert.doesNotMatch(logs, /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/)
  })
})
