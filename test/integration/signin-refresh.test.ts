// --cookie-refresh through the real process: a session older than the period is refreshed with the
// refresh token once (concurrent requests share one grant), and a revoked grant ends the session.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { Session } from '../../src/session/session.js'
import type { HttpClient } from '../helpers/http.js'
import { sessionInCookie } from '../helpers/session-cookie.js'
import { startStack, type Stack } from '../helpers/stack.js'

const REFRESH = 1000

describe('session refresh (--cookie-refresh)', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack({ args: ['--cookie-refresh=1s', '--scope=openid email profile offline_access'] })
  })
  after(() => stack.close())

  /** Reads the session the client holds, with the stack's secret, as the proxy does. */
  const sessionOf = (client: HttpClient): Session => sessionInCookie(client, stack.proxy.url, stack.cookieSecret)

  const waitPastRefresh = (): Promise<void> => new Promise((r) => setTimeout(r, REFRESH + 1100))

  it('refreshes a session older than the period exactly once for concurrent requests', async () => {
    const { client } = await stack.signIn('alice')
    const first = sessionOf(client)
    assert.ok(first.refreshToken, 'the IdP issued a refresh token')
    stack.idp.resetStats()
    await waitPastRefresh()
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.get(`${stack.proxy.url}/after-refresh`)))
    for (const res of answers) assert.equal(res.status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1, 'one refresh grant for eight concurrent requests')
    assert.ok(answers.some((r) => r.setCookies.some((c) => c.startsWith('_oauth2_proxy='))), 'the refreshed session is written back')
    const second = sessionOf(client)
    assert.notEqual(second.accessToken, first.accessToken)
    assert.ok((second.createdAt?.getTime() ?? 0) > (first.createdAt?.getTime() ?? 0))
    assert.equal(second.email, 'alice@example.com')
  })

  it('keeps the session for requests that still carry the replaced cookie (rotated refresh tokens)', async () => {
    const { client } = await stack.signIn('alice')
    const oldCookie = client.jar.header(stack.proxy.url) ?? ''
    stack.idp.resetStats()
    await waitPastRefresh()
    const first = await client.get(`${stack.proxy.url}/first`)
    assert.equal(first.status, 200)
    assert.ok(first.setCookies.some((c) => c.startsWith('_oauth2_proxy=')), 'the first request refreshed the session')
    // A parallel request of the same page load, sent before the browser stored the new cookie.
    const late = await stack.client().get(`${stack.proxy.url}/late`, { headers: { cookie: oldCookie, accept: 'application/json' } })
    assert.equal(late.status, 200, 'the replaced cookie still works for a moment instead of ending the session')
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1, 'the rotated refresh token is not used twice')
    assert.doesNotMatch(stack.proxy.logs(), /session\.refresh\.revoked/)
  })

  it('does not refresh a session younger than the period', async () => {
    const { client } = await stack.signIn('bob')
    stack.idp.resetStats()
    const res = await client.get(`${stack.proxy.url}/young`)
    assert.equal(res.status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'] ?? 0, 0)
  })

  it('ends the session when the provider has revoked the grant', async () => {
    const { client } = await stack.signIn('alice')
    const { refreshToken } = sessionOf(client)
    assert.ok(refreshToken)
    const revoked = await fetch(`${stack.idp.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('gatehouse:gatehouse-secret').toString('base64')}` },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token' }).toString(),
    })
    assert.equal(revoked.status, 200)
    await waitPastRefresh()
    const res = await client.get(`${stack.proxy.url}/after-revoke`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 401, 'a revoked session is no session')
    assert.ok(res.setCookies.some((c) => c.startsWith('_oauth2_proxy=') && /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)), 'the cookie is cleared')
    assert.doesNotMatch(stack.proxy.logs(), new RegExp(refreshToken), 'the refresh token is never logged')
  })
})
