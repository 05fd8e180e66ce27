// Forged and broken ID tokens at the callback, through the real process. The development IdP only signs good tokens,
// so gatehouse redeems its codes through a small relay in front of the IdP's token endpoint (--skip-oidc-discovery
// with --redeem-url pointing at the relay): the relay passes the real answer on and, when a test asks, swaps the ID
// token for a forged one (same claims and nonce, one defect). Each forgery must not sign anyone in; a re-signed copy
// without defect must (the control), and key rotation without the previous keys must not break later sign-ins.
// Classes: issue 8 "alg: none, HS256 signed with the RSA public key, wrong issuer or audience, expired tokens";
// reference §6.2 (ID token verification).
import { strict as assert } from 'node:assert'
import { createHmac, createPublicKey } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT, type JWK } from 'jose'
import { loginViaHttp, type LoginResult } from '../helpers/login.js'
import { DEV_PASSWORDS, startStack, type Stack } from '../helpers/stack.js'

type Claims = Record<string, unknown>
type Forge = (idToken: string) => Promise<string>

interface TokenRelay {
  url: string
  /** Replaces the ID token of every successful answer while set. */
  forge: Forge | undefined
  /** ID tokens the relay handed to gatehouse, in order. */
  handed: string[]
  close(): Promise<void>
}

/** Relays token requests to `target()`; with `forge` set, the answer's id_token is replaced by `forge(id_token)`. */
async function startTokenRelay(target: () => string): Promise<TokenRelay> {
  const relay: TokenRelay = { url: '', forge: undefined, handed: [], close: async () => {} }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded', accept: 'application/json' }
        if (req.headers.authorization !== undefined) headers['authorization'] = req.headers.authorization
        const upstream = await fetch(target(), { method: 'POST', headers, body: Buffer.concat(chunks) })
        let text = await upstream.text()
        if (upstream.status === 200) {
          const body = JSON.parse(text) as { id_token?: string }
          if (relay.forge !== undefined && body.id_token !== undefined) body.id_token = await relay.forge(body.id_token)
          if (body.id_token !== undefined) relay.handed.push(body.id_token)
          text = JSON.stringify(body)
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' })
        res.end(text)
      })().catch((err: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`relay failed: ${String(err)}`)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  relay.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return relay
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const nowSec = (): number => Math.floor(Date.now() / 1000)

let stack: Stack
let relay: TokenRelay
let url: string
let tokenEndpoint = ''

/**
 * Re-signs the token's claims with the IdP's own active key after `change`. signJwt fills in iss, iat and exp only
 * under the claims given, so every claim is kept; a claim set to undefined is left out of the token.
 */
function resigned(change: (claims: Claims) => Claims): Forge {
  return async (idToken) => {
    const token = await stack.idp.signJwt(change({ ...decodeJwt(idToken) }))
    const expected = change({ ...decodeJwt(idToken) })
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(decodeJwt(token)[k], v, `forged claim ${k}`)
    return token
  }
}

async function signIn(login = 'alice', path = '/forged'): Promise<LoginResult> {
  return (await stack.signIn(login, path)).result
}

function setsSession(result: LoginResult): boolean {
  return result.response.setCookies.some((sc) => /^_oauth2_proxy(_\d+)?=[^;]/.test(sc))
}

/** The forged token did not sign anyone in (403, no session cookie), and the error page does not echo it. */
async function assertRejected(forge: Forge, what: string): Promise<void> {
  relay.forge = forge
  const handed = relay.handed.length
  let result: LoginResult
  try {
    result = await signIn()
  } finally {
    relay.forge = undefined
  }
  assert.equal(relay.handed.length, handed + 1, `${what}: the forged token reached gatehouse`)
  const res = result.response
  assert.equal(res.status, 403, `${what}: ${res.status} ${res.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(-300)}`)
  assert.ok(!setsSession(result), `${what}: no session cookie`)
  const forged = relay.handed.at(-1) ?? ''
  assert.ok(!res.body.includes(forged.split('.')[1] ?? '-'), `${what}: the token is not echoed`)
}

async function assertAccepted(what: string, forge?: Forge): Promise<void> {
  relay.forge = forge
  try {
    const result = await signIn('alice', '/fine')
    assert.equal(result.status, 302, `${what}: ${result.response.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(-300)}`)
    assert.equal(result.finalUrl, `${url}/fine`, what)
    assert.ok(setsSession(result), `${what}: a session cookie`)
  } finally {
    relay.forge = undefined
  }
}

before(async () => {
  relay = await startTokenRelay(() => tokenEndpoint)
  stack = await startStack()
  url = stack.proxy.url
  const discovery = (await (await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>
  tokenEndpoint = discovery['token_endpoint'] ?? ''
  await stack.restartProxy([
    '--skip-oidc-discovery',
    `--login-url=${discovery['authorization_endpoint']}`,
    `--redeem-url=${relay.url}/token`,
    `--profile-url=${discovery['userinfo_endpoint']}`,
    `--oidc-jwks-url=${discovery['jwks_uri']}`,
    // Bind ID tokens to the login, so a nonce from another login can be tried too.
    '--insecure-oidc-skip-nonce=false',
  ])
})

after(async () => {
  await stack?.close()
  await relay?.close()
})

describe('forged ID tokens at the callback', () => {
  it('controls: the relayed token, and the same claims re-signed with the IdP key, sign in', async () => {
    await assertAccepted('relayed unchanged')
    await assertAccepted('re-signed unchanged', resigned((c) => c))
    assert.equal(decodeJwt(relay.handed.at(-1) ?? '').nonce !== undefined, true, 'the tokens carry the login nonce')
  })

  it('an expired ID token', async () => {
    await assertRejected(resigned((c) => ({ ...c, iat: nowSec() - 3600, exp: nowSec() - 120 })), 'expired two minutes ago')
    await assertRejected(resigned((c) => ({ ...c, iat: nowSec() - 7200, exp: nowSec() - 3600 })), 'expired an hour ago')
  })

  it('alg none, and a token whose payload was changed after signing', async () => {
    await assertRejected(async (t) => `${b64({ alg: 'none', typ: 'JWT' })}.${t.split('.')[1]}.`, 'alg none, no signature')
    await assertRejected(async (t) => `${b64({ alg: 'none', typ: 'JWT' })}.${t.split('.')[1]}.${t.split('.')[2]}`, 'alg none, old signature kept')
    await assertRejected(async (t) => `${b64({ alg: 'nOnE' })}.${t.split('.')[1]}.`, 'alg nOnE')
    await assertRejected(async (t) => {
      const [h, , s] = t.split('.')
      return `${h}.${b64({ ...decodeJwt(t), email: 'admin@example.com', sub: 'admin' })}.${s}`
    }, 'claims changed, signature of the original kept')
  })

  it('a token signed with a key the IdP never published', async () => {
    const { privateKey } = await generateKeyPair('RS256')
    const sign = (kid: string | undefined): Forge => async (t) =>
      new SignJWT(decodeJwt(t)).setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(kid === undefined ? {} : { kid }) }).sign(privateKey)
    await assertRejected(sign('attacker-key'), 'unknown kid')
    await assertRejected(sign(stack.idp.activeKeyIds.RS256), "attacker key under the IdP's kid")
    await assertRejected(sign(undefined), 'no kid')
  })

  it("HS256 signed with the IdP's RSA public key (key confusion)", async () => {
    const jwks = (await (await fetch(`${stack.idp.issuer}/jwks`)).json()) as { keys: JWK[] }
    const rsa = jwks.keys.find((k) => k.kid === stack.idp.activeKeyIds.RS256)
    assert.ok(rsa !== undefined, 'the IdP publishes its RSA key')
    const pem = createPublicKey({ key: rsa as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()
    const hs256 = (secret: string, kid: string | undefined): Forge => async (t) => {
      const head = `${b64({ alg: 'HS256', typ: 'JWT', ...(kid === undefined ? {} : { kid }) })}.${t.split('.')[1]}`
      return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`
    }
    await assertRejected(hs256(pem, rsa.kid), 'HS256 keyed by the PEM, with the RSA kid')
    await assertRejected(hs256(pem, undefined), 'HS256 keyed by the PEM, no kid')
    await assertRejected(hs256(JSON.stringify(rsa), rsa.kid), 'HS256 keyed by the JWK text')
    await assertRejected(hs256('gatehouse-secret', undefined), 'HS256 keyed by the client secret')
  })

  it('a wrong audience', async () => {
    await assertRejected(resigned((c) => ({ ...c, aud: 'another-client' })), 'another client')
    await assertRejected(resigned((c) => ({ ...c, aud: ['another-client', 'a-third'] })), 'a list without this client')
    await assertRejected(resigned((c) => ({ ...c, aud: 'gatehouse ' })), 'client id with a trailing space')
    await assertRejected(resigned((c) => ({ ...c, aud: 'GATEHOUSE' })), 'client id in capitals')
    await assertRejected(resigned((c) => ({ ...c, aud: undefined })), 'no audience')
  })

  it('a wrong issuer', async () => {
    const issuer = stack.idp.issuer
    await assertRejected(resigned((c) => ({ ...c, iss: 'https://evil.test' })), 'another issuer')
    await assertRejected(resigned((c) => ({ ...c, iss: `${issuer}/` })), 'issuer with a trailing slash')
    await assertRejected(resigned((c) => ({ ...c, iss: issuer.replace('127.0.0.1', 'localhost') })), 'same server, other host name')
    await assertRejected(resigned((c) => ({ ...c, iss: undefined })), 'no issuer')
  })

  it('a nonce from another login, or none', async () => {
    await assertRejected(resigned((c) => ({ ...c, nonce: 'bm9uY2UtZnJvbS1hbm90aGVyLWxvZ2lu' })), 'another nonce')
    await assertRejected(resigned((c) => ({ ...c, nonce: undefined })), 'no nonce')
  })
})

describe('key rotation', () => {
  it('rotating the keys without keeping the previous ones does not break the next sign-in', async () => {
    await assertAccepted('before the rotation')
    const before = stack.idp.activeKeyIds.RS256
    await stack.idp.rotateKeys({ keepPrevious: false })
    assert.notEqual(stack.idp.activeKeyIds.RS256, before)
    assert.ok(!stack.idp.publishedKeyIds.includes(before), 'the old key is withdrawn')
    await assertAccepted('right after the rotation')
    await stack.idp.rotateKeys({ keepPrevious: false })
    await assertAccepted('right after a second rotation')
  })

  it('a token signed with a withdrawn key is refused once the new key set is known', async () => {
    // This login's nonce is read from the authorization URL, so the old key can sign its claims before it goes.
    const client = stack.client()
    const started = await client.get(`${url}/oauth2/start?rd=/withdrawn`)
    assert.ok(started.location !== undefined)
    const authUrl = new URL(started.location)
    const nonce = authUrl.searchParams.get('nonce')
    assert.ok(nonce !== null, 'gatehouse sends a nonce')
    const withdrawn = await stack.idp.signJwt({ aud: 'gatehouse', sub: 'alice', email: 'alice@example.com', email_verified: true, nonce })
    const oldKid = decodeProtectedHeader(withdrawn).kid
    await stack.idp.rotateKeys({ keepPrevious: false })
    await assertAccepted('a sign-in with the new key (gatehouse learns the new key set)')
    assert.ok(oldKid !== undefined && !stack.idp.publishedKeyIds.includes(oldKid))
    relay.forge = async () => withdrawn
    try {
      const result = await loginViaHttp(client, authUrl.href, { login: 'alice', password: DEV_PASSWORDS['alice'] ?? '' }, { idp: stack.idp.issuer })
      assert.equal(relay.handed.at(-1), withdrawn, 'the withdrawn token reached gatehouse')
      assert.equal(result.response.status, 403)
      assert.ok(!setsSession(result))
    } finally {
      relay.forge = undefined
    }
  })

  it('the proxy still serves after every forged token', async () => {
    assert.equal(stack.proxy.proc.exitCode, null)
    await assertAccepted('a last sign-in')
    assert.doesNotMatch(stack.proxy.logs(), /uncaught|unhandled/i)
  })
})
