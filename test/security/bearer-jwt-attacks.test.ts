// Forged, foreign and stale bearer JWTs against --skip-jwt-bearer-tokens, through the real process and the real dev
// IdPs (the provider's and a second one as --extra-jwt-issuers). A well-signed control token passes first; each
// attack must then make no session: 401 for an API client (the cookie and login flow take over), 403 with
// --bearer-token-login-fallback=false. Classes: "alg: none", "HS256 signed with the RSA public key (key confusion)",
// "wrong audience", "wrong issuer", "expired token", "payload changed after signing", "unknown kid flood (bounded key
// set refetch)", "email_verified false", "unreachable issuer (502 with a request id, no hang)". Reference §3.14.
import { strict as assert } from 'node:assert'
import { createHmac, createPublicKey, type JsonWebKey } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { decodeJwt, generateKeyPair, SignJWT, type JWK } from 'jose'
import { startDevIdp, type DevIdp } from '../../src/dev/idp.js'
import { freePort } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('bearer JWT attacks', () => {
  let stack: Stack
  let extra: DevIdp
  let url: string
  let deadIssuer: string

  before(async () => {
    extra = await startDevIdp()
    deadIssuer = `http://127.0.0.1:${await freePort()}`
    stack = await startStack({ args: ['--skip-jwt-bearer-tokens', `--extra-jwt-issuers=${extra.issuer}=reports-api`, `--extra-jwt-issuers=${deadIssuer}=dead-api`] })
    url = stack.proxy.url
  })
  after(async () => {
    await Promise.allSettled([stack.close(), extra.close()])
  })

  const good = (): Promise<string> => stack.idp.signJwt({ sub: 'alice', aud: 'gatehouse', email: 'alice@example.com' })

  async function status(token: string, path = '/api/data'): Promise<number> {
    const r = await stack.client().get(`${url}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
    return r.status
  }

  async function assertRefused(token: string, what: string): Promise<void> {
    assert.equal(await status(token), 401, what)
  }

  it('lets the control token through', async () => {
    assert.equal(await status(await good()), 200)
    assert.equal(await status(await extra.signJwt({ sub: 'bob', aud: 'reports-api' })), 200)
  })

  it('alg: none', async () => {
    const payload = (await good()).split('.')[1]
    await assertRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, 'no signature')
    await assertRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.AAAA`, 'a dummy signature')
    await assertRefused(`${b64({ alg: 'none', typ: 'JWT', kid: stack.idp.activeKeyIds.RS256 })}.${payload}.${(await good()).split('.')[2]}`, 'a real signature kept')
  })

  it('HS256 signed with the RSA public key (key confusion)', async () => {
    const jwks = (await (await fetch(`${stack.idp.issuer}/jwks`)).json()) as { keys: JWK[] }
    const rsa = jwks.keys.find((k) => k.kid === stack.idp.activeKeyIds.RS256)
    assert.ok(rsa !== undefined)
    const pem = createPublicKey({ key: rsa as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()
    const payload = (await good()).split('.')[1]
    for (const [secret, kid] of [[pem, rsa.kid], [pem, undefined], [JSON.stringify(rsa), rsa.kid], [rsa.n ?? '', rsa.kid]] as const) {
      const head = `${b64({ alg: 'HS256', typ: 'JWT', ...(kid === undefined ? {} : { kid }) })}.${payload}`
      await assertRefused(`${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`, `HS256 keyed by ${secret.slice(0, 12)}`)
    }
  })

  it('wrong audience', async () => {
    await assertRefused(await stack.idp.signJwt({ sub: 'alice', aud: 'another-api' }), 'another audience')
    await assertRefused(await stack.idp.signJwt({ sub: 'alice', aud: ['another-api', 'a-third'] }), 'a list without ours')
    await assertRefused(await stack.idp.signJwt({ sub: 'alice', aud: 'GATEHOUSE' }), 'client id in capitals')
    await assertRefused(await stack.idp.signJwt({ sub: 'alice' }), 'no audience')
    await assertRefused(await extra.signJwt({ sub: 'bob', aud: 'gatehouse' }), "the main client ID at the extra issuer (whose audience is reports-api)")
  })

  it('wrong issuer', async () => {
    await assertRefused(await stack.idp.signJwt({ sub: 'alice', aud: 'gatehouse', iss: 'https://evil.example' }), 'an unknown issuer')
    await assertRefused(await stack.idp.signJwt({ sub: 'alice', aud: 'gatehouse', iss: `${stack.idp.issuer}/` }), 'a trailing slash')
    await assertRefused(await extra.signJwt({ sub: 'alice', aud: 'gatehouse', iss: stack.idp.issuer }), "the main issuer's name, signed by another IdP")
    await assertRefused(await stack.idp.signJwt({ sub: 'bob', aud: 'reports-api', iss: extra.issuer }), "the extra issuer's name, signed by the main IdP")
  })

  it('expired token', async () => {
    await assertRefused(await stack.idp.signJwt({ sub: 'alice', aud: 'gatehouse' }, { expiresInSec: -120 }), 'expired two minutes ago')
    await assertRefused(await stack.idp.signJwt({ sub: 'alice', aud: 'gatehouse', nbf: Math.floor(Date.now() / 1000) + 3600 }), 'not valid before an hour from now')
    const noExp = await stack.idp.signJwt({ sub: 'alice', aud: 'gatehouse' })
    const { exp: _dropped, ...claims } = decodeJwt(noExp)
    const { privateKey } = await generateKeyPair('RS256')
    await assertRefused(await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: stack.idp.activeKeyIds.RS256 }).sign(privateKey), 'no exp, foreign key')
  })

  it('payload changed after signing', async () => {
    const [head, , sig] = (await good()).split('.')
    await assertRefused(`${head}.${b64({ ...decodeJwt(await good()), sub: 'admin' })}.${sig}`, 'sub changed')
  })

  it('email_verified false', async () => {
    await assertRefused(await stack.idp.signJwt({ sub: 'carol', aud: 'gatehouse', email: 'carol@example.org', email_verified: false }), 'main issuer')
    await assertRefused(await extra.signJwt({ sub: 'carol', aud: 'reports-api', email: 'carol@example.org', email_verified: false }), 'extra issuer')
  })

  it('unknown kid flood (bounded key set refetch)', async () => {
    const { privateKey } = await generateKeyPair('RS256')
    assert.equal(await status(await good()), 200, 'the key set is loaded')
    const before = stack.idp.stats.jwksCalls
    for (let i = 0; i < 20; i += 1) {
      const token = await new SignJWT({ sub: 'alice', aud: 'gatehouse', iss: stack.idp.issuer, exp: Math.floor(Date.now() / 1000) + 60 })
        .setProtectedHeader({ alg: 'RS256', kid: `random-${i}` })
        .sign(privateKey)
      await assertRefused(token, `kid random-${i}`)
    }
    assert.ok(stack.idp.stats.jwksCalls - before <= 1, `${stack.idp.stats.jwksCalls - before} key set fetches for 20 unknown kids`)
  })

  it('unreachable issuer: 502 with a request id and one log line naming the call, no hang', async () => {
    const token = await extra.signJwt({ sub: 'bob', aud: 'dead-api', iss: deadIssuer })
    const r = await stack.client().get(`${url}/api/data`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
    assert.equal(r.status, 502)
    assert.match(r.json<{ requestId: string }>().requestId, /\S/)
    await stack.proxy.waitForLog(new RegExp(`discovery of ${deadIssuer.replace(/[.:/]/g, '\\$&')} failed`))
  })

  it('refuses every attack with 403 when --bearer-token-login-fallback=false, and a header without a JWT too', async () => {
    await stack.restartProxy(['--bearer-token-login-fallback=false'])
    assert.equal(await status(await good()), 200)
    const payload = (await good()).split('.')[1]
    for (const token of [`${b64({ alg: 'none' })}.${payload}.AAAA`, await stack.idp.signJwt({ sub: 'alice', aud: 'x' }), await stack.idp.signJwt({ sub: 'alice', aud: 'gatehouse' }, { expiresInSec: -120 }), 'opaque-token']) {
      assert.equal(await status(token), 403, token.slice(0, 16))
    }
    const r = await stack.client().get(`${url}/`, { headers: { accept: 'application/json' } })
    assert.equal(r.status, 401, 'no Authorization header: the ordinary login flow')
  })
})
