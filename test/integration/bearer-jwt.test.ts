// --skip-jwt-bearer-tokens through the real process with tokens minted by the real dev IdP (its RFC 9068 JWT access
// tokens and ID tokens) and by a second dev IdP as --extra-jwt-issuers (reference §3.14, §1.7). Attacks on the
// token checks are in test/security/bearer-jwt-attacks.test.ts.
import { strict as assert } from 'node:assert'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { DEFAULT_DEV_USERS, startDevIdp, type DevIdp } from '../../src/dev/idp.js'
import { tokensFor } from '../helpers/idp-tokens.js'
import { startGatehouse } from '../helpers/process.js'
import { peerArgs, startStack, type Stack } from '../helpers/stack.js'

const USERS = DEFAULT_DEV_USERS.map((u) => (u.sub === 'alice' ? { ...u, accessTokenClaims: { email: u.email, groups: u.groups } } : u))

describe('bearer JWTs', () => {
  let stack: Stack
  let extra: DevIdp
  let url: string
  let alice: { accessToken: string; idToken: string }
  let bobAtExtra: { accessToken: string; idToken: string }
  // An issuer without discovery that publishes its keys at <issuer>/.well-known/jwks.json (the extra IdP's keys).
  let bare: Server
  let bareIssuer: string

  before(async () => {
    extra = await startDevIdp({ jwtAccessTokens: { audience: 'reports-api' } })
    bare = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end()
      void fetch(`${extra.issuer}/jwks`).then(async (r) => res.writeHead(200, { 'content-type': 'application/json' }).end(await r.text()))
    })
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
    bareIssuer = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`
    stack = await startStack({
      idp: { users: USERS, jwtAccessTokens: { audience: 'gatehouse' } },
      args: ['--skip-jwt-bearer-tokens', `--extra-jwt-issuers=${extra.issuer}=reports-api`, `--extra-jwt-issuers=${bareIssuer}=bare-api`, '--pass-access-token', '--set-xauthrequest'],
    })
    url = stack.proxy.url
    ;[alice, bobAtExtra] = await Promise.all([tokensFor(stack.idp, 'alice'), tokensFor(extra, 'bob')])
  })
  after(async () => {
    await Promise.allSettled([stack.close(), extra.close(), new Promise((resolve) => bare.close(resolve))])
  })

  async function asBearer(authorization: string, path = '/api/x'): Promise<{ status: number; echo?: EchoReply; setCookies: string[] }> {
    const r = await stack.client().get(`${url}${path}`, { headers: { authorization, accept: 'application/json' } })
    return { status: r.status, setCookies: r.setCookies, ...(r.status === 200 ? { echo: r.json<EchoReply>() } : {}) }
  }

  it("accepts the provider's JWT access token: sub is the user, claims as oauth2-proxy reads them, no cookie", async () => {
    const r = await asBearer(`Bearer ${alice.accessToken}`)
    assert.equal(r.status, 200)
    assert.equal(r.echo?.headers['x-forwarded-user'], 'alice')
    assert.equal(r.echo?.headers['x-forwarded-email'], 'alice@example.com')
    assert.equal(r.echo?.headers['x-forwarded-groups'], 'admins,developers')
    assert.equal(r.echo?.headers['x-forwarded-access-token'], alice.accessToken, 'the JWT is the access token')
    assert.deepEqual(r.setCookies, [])
  })

  it("accepts the provider's ID token too (its audience is the client ID)", async () => {
    const r = await asBearer(`Bearer ${alice.idToken}`)
    assert.equal(r.status, 200)
    assert.equal(r.echo?.headers['x-forwarded-email'], 'alice@example.com')
  })

  it('accepts an extra issuer token for its audience; the email falls back to sub', async () => {
    const r = await asBearer(`Bearer ${bobAtExtra.accessToken}`)
    assert.equal(r.status, 200)
    assert.equal(r.echo?.headers['x-forwarded-user'], 'bob')
    assert.equal(r.echo?.headers['x-forwarded-email'], 'bob', 'RFC 9068 access tokens carry no email')
  })

  it('finds the keys of an extra issuer without discovery at <issuer>/.well-known/jwks.json', async () => {
    const token = await extra.signJwt({ iss: bareIssuer, sub: 'svc-1', aud: 'bare-api', groups: ['ci'], preferred_username: 'ci-bot' })
    const r = await asBearer(`Bearer ${token}`)
    assert.equal(r.status, 200)
    assert.equal(r.echo?.headers['x-forwarded-user'], 'svc-1')
    assert.equal(r.echo?.headers['x-forwarded-groups'], 'ci')
    assert.equal(r.echo?.headers['x-forwarded-preferred-username'], 'ci-bot')
  })

  it("refuses the extra issuer's ID token: its audience is the client, not reports-api", async () => {
    assert.equal((await asBearer(`Bearer ${bobAtExtra.idToken}`)).status, 401)
  })

  it('refuses a token of the trusted IdP that names no subject, with or without an email (unlike oauth2-proxy)', async () => {
    const noSub = await stack.idp.signJwt({ aud: 'gatehouse', email: 'alice@example.com', email_verified: true, groups: ['admins'] })
    const nobody = await stack.idp.signJwt({ aud: 'gatehouse', groups: ['admins'] })
    for (const token of [noSub, nobody]) {
      assert.equal((await asBearer(`Bearer ${token}`)).status, 401)
      const auth = await stack.client().get(`${url}/oauth2/auth`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(auth.status, 401)
    }
    await stack.proxy.waitForLog('"reason":"the token has no sub claim"')
  })

  it('with --email-domain=example.com, lets in only tokens whose email (or sub, its fallback) is in the domain', async () => {
    const proxy = await startGatehouse({
      args: [...peerArgs(stack), '--email-domain=example.com', '--skip-jwt-bearer-tokens'],
    })
    try {
      const statusOf = async (token: string): Promise<number> => (await stack.client().get(`${proxy.url}/api/x`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })).status
      assert.equal(await statusOf(alice.accessToken), 200)
      assert.equal(await statusOf(await stack.idp.signJwt({ aud: 'gatehouse', sub: 'svc-1', groups: ['admins'] })), 403, 'no email: the sub is judged, and is no address')
      assert.equal(await statusOf(await stack.idp.signJwt({ aud: 'gatehouse', groups: ['admins'] })), 401, 'no identity at all')
    } finally {
      await proxy.stop()
    }
  })

  it('reads JWTs carried in Basic credentials as oauth2-proxy does', async () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64')
    for (const value of [`${alice.accessToken}:`, `${alice.accessToken}:x-oauth-basic`, `anyone:${alice.accessToken}`]) {
      assert.equal((await asBearer(`Basic ${b64(value)}`)).status, 200, value.slice(-20))
    }
    assert.equal((await asBearer(`Basic ${b64(`${alice.accessToken}:other`)}`)).status, 401)
  })

  it('answers /oauth2/auth with 202 and identity headers, and /oauth2/userinfo with the token user', async () => {
    const auth = await stack.client().get(`${url}/oauth2/auth`, { headers: { authorization: `Bearer ${alice.accessToken}` } })
    assert.equal(auth.status, 202)
    assert.equal(auth.header('x-auth-request-email'), 'alice@example.com')
    const info = await stack.client().get(`${url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${bobAtExtra.accessToken}` } })
    assert.equal(info.status, 200)
    assert.equal(info.json<{ user: string; email: string }>().email, 'bob')
  })

  it('fetches each key set once for many requests', async () => {
    const before = stack.idp.stats.jwksCalls
    for (let i = 0; i < 5; i += 1) assert.equal((await asBearer(`Bearer ${alice.idToken}`, `/api/${i}`)).status, 200)
    assert.equal(stack.idp.stats.jwksCalls, before)
  })

  it('still applies the group rules to bearer sessions', async () => {
    await stack.restartProxy(['--allowed-group=finance'])
    try {
      assert.equal((await asBearer(`Bearer ${alice.accessToken}`)).status, 403)
      const auth = await stack.client().get(`${url}/oauth2/auth?allowed_groups=admins`, { headers: { authorization: `Bearer ${alice.accessToken}` } })
      assert.equal(auth.status, 401, 'denied by --allowed-group before the query')
    } finally {
      await stack.restartProxy([])
    }
  })

  it('never logs a token', () => {
    const logs = stack.proxy.logs()
    for (const token of [alice.accessToken, alice.idToken, bobAtExtra.accessToken]) {
      assert.ok(!logs.includes(token.split('.')[2] ?? token), 'a token signature appears in the log')
    }
  })
})
