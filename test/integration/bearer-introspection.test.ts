// --introspect-bearer-tokens through the real process against the real dev IdP: its opaque access tokens are checked
// at its RFC 7662 endpoint, as the client. Valid, cached, revoked, expired and foreign tokens; /oauth2/auth; the
// claim reading. Attacks (garbage, refresh tokens, the endpoint down or hanging) are in
// test/security/introspection-attacks.test.ts.
import { strict as assert } from 'node:assert'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { DEFAULT_DEV_CLIENTS, DEFAULT_DEV_USERS, type DevClient } from '../../src/dev/idp.js'
import { revokeAtIdp, tokensFor } from '../helpers/idp-tokens.js'
import { startStack, type Stack } from '../helpers/stack.js'

// alice's opaque tokens carry her email and groups in the introspection answer (as Keycloak's do); bob's say only
// who he is; carol's say her email is not verified.
const USERS = DEFAULT_DEV_USERS.map((u) =>
  u.sub === 'alice' ? { ...u, accessTokenClaims: { email: u.email, groups: u.groups, username: 'alice.example' } }
    : u.sub === 'carol' ? { ...u, accessTokenClaims: { email: u.email, email_verified: false } } : u)
/** A second confidential client of the same IdP: its tokens are for another application. */
const REPORTS: DevClient = { clientId: 'reports-cli', clientSecret: 'reports-secret', authMethod: 'client_secret_basic', redirectUris: ['http://127.0.0.1:*/**'] }
const REPORTS_RP = { clientId: 'reports-cli', clientSecret: 'reports-secret', authMethod: 'client_secret_basic' as const }

describe('introspected bearer tokens', () => {
  let stack: Stack
  let url: string
  const issued: string[] = []

  before(async () => {
    stack = await startStack({
      idp: { users: USERS, clients: [...DEFAULT_DEV_CLIENTS, REPORTS] },
      args: ['--introspect-bearer-tokens', '--pass-access-token', '--set-xauthrequest'],
    })
    url = stack.proxy.url
  })
  after(async () => {
    await stack.close()
  })

  async function asBearer(token: string, path = '/api/x'): Promise<{ status: number; echo?: EchoReply; setCookies: string[]; body: string }> {
    issued.push(token)
    const r = await stack.client().get(`${url}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
    return { status: r.status, setCookies: r.setCookies, body: r.body, ...(r.status === 200 ? { echo: r.json<EchoReply>() } : {}) }
  }

  it('accepts an opaque access token the provider says is active: identity from the answer, no cookie', async () => {
    const alice = await tokensFor(stack.idp, 'alice')
    assert.doesNotMatch(alice.accessToken, /\./, 'the dev IdP issues opaque access tokens')
    const r = await asBearer(alice.accessToken)
    assert.equal(r.status, 200)
    assert.equal(r.echo?.headers['x-forwarded-user'], 'alice')
    assert.equal(r.echo?.headers['x-forwarded-email'], 'alice@example.com')
    assert.equal(r.echo?.headers['x-forwarded-groups'], 'admins,developers')
    assert.equal(r.echo?.headers['x-forwarded-preferred-username'], 'alice.example', 'RFC 7662 username')
    assert.equal(r.echo?.headers['x-forwarded-access-token'], alice.accessToken)
    assert.deepEqual(r.setCookies, [])
  })

  it('calls the endpoint once for repeated and concurrent requests with one token', async () => {
    const bob = await tokensFor(stack.idp, 'bob')
    const before = stack.idp.stats.introspectionCalls
    const statuses = await Promise.all(Array.from({ length: 5 }, (_, i) => asBearer(bob.accessToken, `/api/${i}`).then((r) => r.status)))
    assert.deepEqual(statuses, [200, 200, 200, 200, 200])
    assert.equal((await asBearer(bob.accessToken)).status, 200)
    assert.equal(stack.idp.stats.introspectionCalls - before, 1)
  })

  it('reads a bare answer (sub only): the email falls back to the user, as for bearer JWTs', async () => {
    const bob = await tokensFor(stack.idp, 'bob')
    const r = await asBearer(bob.accessToken)
    assert.equal(r.status, 200)
    assert.equal(r.echo?.headers['x-forwarded-user'], 'bob')
    assert.equal(r.echo?.headers['x-forwarded-email'], 'bob')
  })

  it('refuses a token whose answer says the email is not verified', async () => {
    const carol = await tokensFor(stack.idp, 'carol')
    assert.equal((await asBearer(carol.accessToken)).status, 401)
  })

  it('refuses an expired token with 401', async () => {
    stack.idp.setTtl({ accessTokenTtlSec: 1 })
    let token: string
    try {
      token = (await tokensFor(stack.idp, 'bob')).accessToken
    } finally {
      stack.idp.setTtl({ accessTokenTtlSec: 3600 })
    }
    await sleep(2_100)
    const r = await asBearer(token)
    assert.equal(r.status, 401)
    assert.equal(r.echo, undefined)
  })

  it('keeps a revoked token within the cache TTL (30s by default): the answer is reused, not asked again', async () => {
    const bob = await tokensFor(stack.idp, 'bob')
    assert.equal((await asBearer(bob.accessToken)).status, 200)
    await revokeAtIdp(stack.idp, bob.accessToken)
    const before = stack.idp.stats.introspectionCalls
    assert.equal((await asBearer(bob.accessToken)).status, 200)
    assert.equal(stack.idp.stats.introspectionCalls, before)
  })

  it('never logs a token, only a 12-character fingerprint of it', () => {
    const logs = stack.proxy.logs()
    assert.match(logs, /auth\.introspection\.success/)
    assert.match(logs, /auth\.introspection\.failure/)
    for (const token of issued) assert.ok(!logs.includes(token), 'an access token appears in the log')
  })

  it('refuses the token of another client unless its audience is allowed', async () => {
    const foreign = await tokensFor(stack.idp, 'alice', 'alice-password', REPORTS_RP)
    assert.equal((await asBearer(foreign.accessToken)).status, 401)
    await stack.restartProxy(['--oidc-extra-audience=reports-cli'])
    try {
      const r = await asBearer(foreign.accessToken)
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-email'], 'alice@example.com')
    } finally {
      await stack.restartProxy([])
    }
  })

  it('refuses a revoked token once the cache TTL has passed', async () => {
    await stack.restartProxy(['--introspection-cache-ttl=1s'])
    try {
      const bob = await tokensFor(stack.idp, 'bob')
      assert.equal((await asBearer(bob.accessToken)).status, 200)
      await revokeAtIdp(stack.idp, bob.accessToken)
      let status = 200
      for (let i = 0; i < 40 && status === 200; i += 1) {
        await sleep(250)
        status = (await asBearer(bob.accessToken)).status
      }
      assert.equal(status, 401)
    } finally {
      await stack.restartProxy([])
    }
  })

  it('answers /oauth2/auth with 202 and X-Auth-Request-* for an active token, 401 for an unknown one', async () => {
    const alice = await tokensFor(stack.idp, 'alice')
    const ok = await stack.client().get(`${url}/oauth2/auth`, { headers: { authorization: `Bearer ${alice.accessToken}` } })
    assert.equal(ok.status, 202)
    assert.equal(ok.header('x-auth-request-user'), 'alice')
    assert.equal(ok.header('x-auth-request-email'), 'alice@example.com')
    const unknown = await stack.client().get(`${url}/oauth2/auth`, { headers: { authorization: 'Bearer not-a-token-the-idp-issued' } })
    assert.equal(unknown.status, 401)
  })

  it('works for a client_secret_post client (the IdP refuses the Basic header; the secret then goes in the form)', async () => {
    const post = await tokensFor(stack.idp, 'alice', 'alice-password', { clientId: 'gatehouse-post', clientSecret: 'gatehouse-post-secret', authMethod: 'client_secret_post' })
    await stack.restartProxy(['--client-id=gatehouse-post', '--client-secret=gatehouse-post-secret'])
    try {
      assert.equal((await asBearer(post.accessToken)).status, 200)
    } finally {
      await stack.restartProxy([])
    }
  })

  it('asks --introspection-url instead of the discovered endpoint', async () => {
    const alice = await tokensFor(stack.idp, 'alice')
    await stack.restartProxy([`--introspection-url=${stack.idp.issuer}/no-such-endpoint`])
    try {
      const r = await asBearer(alice.accessToken)
      assert.equal(r.status, 503, 'the endpoint named by the flag answers 404')
    } finally {
      await stack.restartProxy([])
    }
  })

  it('still applies the group rules to introspected sessions', async () => {
    const alice = await tokensFor(stack.idp, 'alice')
    await stack.restartProxy(['--allowed-group=finance'])
    try {
      assert.equal((await asBearer(alice.accessToken)).status, 403)
    } finally {
      await stack.restartProxy([])
    }
  })
})
