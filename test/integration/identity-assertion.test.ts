// --set-identity-assertion through the real process: the JWT the upstream and /oauth2/auth answers receive, checked
// against the JWKS gatehouse publishes, with a jose verifier independent of gatehouse's signer. Attacks on the
// assertion (forged, replayed at another audience, expired, key confusion) are in test/security/assertion-attacks.test.ts.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { startStack, type Stack } from '../helpers/stack.js'

/** Members that only a private JWK carries (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

describe('identity assertion', () => {
  let stack: Stack
  let url: string

  before(async () => {
    stack = await startStack({ args: ['--set-identity-assertion', '--set-xauthrequest', '--skip-auth-route=^/public', '--scope=openid email profile groups'] })
    url = stack.proxy.url
  })
  after(() => stack.close())

  async function jwks(path = '/.well-known/jwks.json'): Promise<JSONWebKeySet> {
    const r = await stack.client().get(`${url}${path}`)
    assert.equal(r.status, 200)
    return r.json<JSONWebKeySet>()
  }

  it('publishes the public key without a session, with cache headers and no private member', async () => {
    const r = await stack.client().get(`${url}/.well-known/jwks.json`)
    assert.equal(r.status, 200)
    assert.equal(r.header('content-type'), 'application/jwk-set+json')
    assert.match(r.header('cache-control') ?? '', /^public, max-age=\d+$/)
    const etag = r.header('etag')
    assert.ok(etag)
    const set = r.json<JSONWebKeySet>()
    assert.equal(set.keys.length, 1)
    for (const key of set.keys) {
      for (const member of PRIVATE_MEMBERS) assert.equal(member in key, false, `the JWKS holds ${member}`)
      assert.equal(key.kty, 'EC')
      assert.equal(key.crv, 'P-256')
      assert.equal(key.alg, 'ES256')
      assert.equal(key.use, 'sig')
    }
    assert.deepEqual(await jwks('/oauth2/jwks.json'), set, 'the prefix path serves the same set')
    const again = await stack.client().get(`${url}/.well-known/jwks.json`, { headers: { 'if-none-match': etag } })
    assert.equal(again.status, 304)
  })

  it('warns that a generated key is not shared by replicas', () => {
    assert.match(stack.proxy.logs(), /assertion\.key\.generated/)
    assert.match(stack.proxy.logs(), /other replicas will not share it/)
  })

  it('sends the upstream a JWT of the user for its origin, and reuses it', async () => {
    const { client } = await stack.signIn('alice')
    const first = (await client.get(`${url}/app`)).json<EchoReply>()
    const token = first.headers['x-gatehouse-assertion']
    assert.equal(typeof token, 'string')
    const { payload, protectedHeader } = await jwtVerify(token as string, createLocalJWKSet(await jwks()), {
      issuer: url,
      audience: stack.echo.url,
      algorithms: ['ES256'],
    })
    assert.equal(protectedHeader.typ, 'JWT')
    assert.equal(payload.sub, 'alice')
    assert.equal(payload['email'], 'alice@example.com')
    assert.equal(payload['email_verified'], true)
    assert.deepEqual(payload['groups'], ['admins', 'developers'])
    assert.equal(payload['idp'], 'oidc=gatehouse')
    assert.equal(payload.exp! - payload.iat!, 300)
    assert.equal(payload.nbf, payload.iat)
    assert.match(payload.jti ?? '', /^[\w-]{22}$/)
    const second = (await client.get(`${url}/app/other`)).json<EchoReply>()
    assert.equal(second.headers['x-gatehouse-assertion'], token, 'one assertion per session and audience until near expiry')
    const bob = (await (await stack.signIn('bob')).client.get(`${url}/app`)).json<EchoReply>()
    assert.notEqual(bob.headers['x-gatehouse-assertion'], token)
  })

  it("removes a client's own copy of the header, signed in or on a skip-auth route", async () => {
    const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'
    const anonymous = (await stack.client().get(`${url}/public/x`, { headers: { 'X-Gatehouse-Assertion': forged } })).json<EchoReply>()
    assert.equal(anonymous.headers['x-gatehouse-assertion'], undefined)
    const underscore = (await stack.client().get(`${url}/public/x`, { headers: { X_Gatehouse_Assertion: forged } })).json<EchoReply>()
    assert.deepEqual(underscore.rawHeaders.filter(([name]) => /assertion/i.test(name)), [])
    const { client } = await stack.signIn('alice')
    const signedIn = (await client.get(`${url}/app`, { headers: { 'x-gatehouse-assertion': forged } })).json<EchoReply>()
    assert.notEqual(signedIn.headers['x-gatehouse-assertion'], forged)
    assert.equal(signedIn.rawHeaders.filter(([name]) => name.toLowerCase() === 'x-gatehouse-assertion').length, 1)
  })

  it('answers /oauth2/auth with an assertion for the origin the user asked for', async () => {
    const { client } = await stack.signIn('bob')
    const r = await client.get(`${url}/oauth2/auth`)
    assert.equal(r.status, 202)
    const token = r.header('x-gatehouse-assertion')
    assert.ok(token)
    assert.equal(decodeProtectedHeader(token).alg, 'ES256')
    const { payload } = await jwtVerify(token, createLocalJWKSet(await jwks()), { issuer: url, audience: url })
    assert.equal(payload.sub, 'bob')
    assert.equal(r.header('x-auth-request-user'), 'bob', 'the X-Auth-Request-* headers stay')
    const anonymous = await stack.client().get(`${url}/oauth2/auth`)
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.header('x-gatehouse-assertion'), undefined)
  })
})

describe('identity assertion options', () => {
  it('signs with EdDSA or RS256 on request, with another header, issuer and audience', async () => {
    for (const alg of ['EdDSA', 'RS256'] as const) {
      const stack = await startStack({
        args: ['--set-identity-assertion', `--assertion-signing-alg=${alg}`, '--assertion-header=X-User-JWT', '--assertion-issuer=https://auth.example.com/', '--assertion-audience=urn:app', '--assertion-ttl=90s'],
      })
      try {
        const { client } = await stack.signIn('alice')
        const echo = (await client.get(`${stack.proxy.url}/`)).json<EchoReply>()
        const token = echo.headers['x-user-jwt'] as string
        const set = (await stack.client().get(`${stack.proxy.url}/.well-known/jwks.json`)).json<JSONWebKeySet>()
        const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(set), { issuer: 'https://auth.example.com', audience: 'urn:app', algorithms: [alg] })
        assert.equal(protectedHeader.alg, alg)
        assert.equal(payload.exp! - payload.iat!, 90)
        assert.equal(echo.headers['x-gatehouse-assertion'], undefined)
      } finally {
        await stack.close()
      }
    }
  })

  it('strips the header even with --skip-auth-strip-headers=false and assertions off', async () => {
    const stack = await startStack({ args: ['--skip-auth-strip-headers=false'] })
    try {
      const { client } = await stack.signIn('alice')
      const echo = (await client.get(`${stack.proxy.url}/`, { headers: { 'x-gatehouse-assertion': 'forged' } })).json<EchoReply>()
      assert.equal(echo.headers['x-gatehouse-assertion'], undefined)
      assert.equal((await stack.client().get(`${stack.proxy.url}/.well-known/jwks.json`, { headers: { accept: 'application/json' } })).status, 401, 'no JWKS route without assertions')
    } finally {
      await stack.close()
    }
  })
})
