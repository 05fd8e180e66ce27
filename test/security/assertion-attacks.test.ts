// Attacks on the identity assertion, against the verifier example the docs show (docs/examples/identity-assertion/
// verify.mjs, run as it is, as the upstream of a real gatehouse). A genuine assertion passes first; then: "spoofed
// header (through gatehouse)", "no assertion", "payload changed after signing", "expired (signed with the real key)",
// "cross-audience replay (an assertion gatehouse sent another upstream, or another route with an audience of its own)",
// "alg: none", "HS256 made with the public key (key confusion)", "unknown key". docs/identity-assertion.md explains
// the checks.
import { strict as assert } from 'node:assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { calculateJwkThumbprint, decodeJwt, exportJWK, SignJWT } from 'jose'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { HttpClient } from '../helpers/http.js'
import { freePort, REPO_ROOT } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Starts the docs' verifier app and resolves once it listens (bounded by a 10 s timer). */
async function startVerifierApp(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'docs/examples/identity-assertion/verify.mjs')], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the verifier example did not start')), 10_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`the verifier example exited with ${code}`)))
  })
  return child
}

describe('identity assertion attacks (the documented verifier)', () => {
  let dir: string
  let stack: Stack
  let app: ChildProcess
  let appUrl: string
  let client: HttpClient
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  let kid: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-assertion-'))
    const file = join(dir, 'keys.pem')
    await writeFile(file, key.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 })
    const { kty, crv, x, y } = await exportJWK(createPublicKey(key))
    kid = await calculateJwkThumbprint({ kty: kty!, crv: crv!, x: x!, y: y! })
    const appPort = await freePort()
    appUrl = `http://127.0.0.1:${appPort}`
    // The echo app (the stack's default upstream) serves /other/: an upstream with another audience.
    stack = await startStack({
      replaceArgs: (defaults) => defaults.map((a) => (a.startsWith('--upstream=') ? `${a}other/` : a)),
      args: [`--upstream=${appUrl}/`, '--set-identity-assertion', `--assertion-key-file=${file}`, '--skip-auth-route=^/public'],
    })
    app = await startVerifierApp({ GATEHOUSE_URL: stack.proxy.url, APP_AUDIENCE: appUrl, PORT: String(appPort) })
    ;({ client } = await stack.signIn('alice'))
  })
  after(async () => {
    app?.kill()
    await stack?.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** What the app answers to a request carrying `token` directly, as an attacker who can reach it would send it. */
  async function direct(token: string | undefined): Promise<number> {
    const r = await fetch(`${appUrl}/`, token === undefined ? {} : { headers: { 'x-gatehouse-assertion': token } })
    await r.arrayBuffer()
    return r.status
  }

  async function genuine(): Promise<string> {
    const r = await client.get(`${stack.proxy.url}/other/x`)
    return r.json<EchoReply>().headers['x-gatehouse-assertion'] as string
  }

  it('accepts a genuine assertion that gatehouse sends the app', async () => {
    const r = await client.get(`${stack.proxy.url}/`)
    assert.equal(r.status, 200)
    assert.deepEqual(r.json(), { sub: 'alice', email: 'alice@example.com', groups: [] })
  })

  it('refuses a request with no assertion, and a header spoofed through gatehouse', async () => {
    assert.equal(await direct(undefined), 401)
    const forged = await new SignJWT({ sub: 'admin' }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(stack.proxy.url).setAudience(appUrl).setIssuedAt().setExpirationTime('5m').sign(key)
    const spoofed = await stack.client().get(`${stack.proxy.url}/public/x`, { headers: { 'X-Gatehouse-Assertion': forged } })
    assert.equal(spoofed.status, 401, 'gatehouse removed the client copy: even a well-signed header never reaches the app')
  })

  it('refuses an assertion replayed at another audience (gatehouse sent it to another upstream)', async () => {
    const other = await genuine()
    assert.equal(decodeJwt(other).aud, stack.echo.url)
    assert.equal(await direct(other), 401)
  })

  it("refuses an assertion replayed from another route's own audience", async () => {
    const routes = join(dir, 'routes.yaml')
    await writeFile(routes, 'routes:\n  - id: other\n    path: { prefix: /other/ }\n    identityAssertion: { audience: "urn:other" }\n  - id: app\n')
    await stack.restartProxy([`--alpha-config=${routes}`])
    const other = await genuine()
    assert.equal(decodeJwt(other).aud, 'urn:other')
    assert.equal(await direct(other), 401)
    assert.equal((await client.get(`${stack.proxy.url}/`)).status, 200, 'control: the app route still gets its own')
  })

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await genuine()).split('.')
    const payload = { ...decodeJwt(await genuine()), aud: appUrl, sub: 'admin' }
    assert.equal(await direct(`${header}.${b64(payload)}.${signature}`), 401)
  })

  it('refuses an expired assertion even with a genuine signature', async () => {
    const now = Math.floor(Date.now() / 1000)
    const control = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(stack.proxy.url).setAudience(appUrl).setIssuedAt(now).setExpirationTime(now + 300).sign(key)
    assert.equal(await direct(control), 200, 'control: the same key and claims, valid')
    const expired = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(stack.proxy.url).setAudience(appUrl).setIssuedAt(now - 900).setExpirationTime(now - 600).sign(key)
    assert.equal(await direct(expired), 401)
  })

  it("refuses alg none, HS256 keyed with gatehouse's public key, and an unknown key", async () => {
    const claims = { ...decodeJwt(await genuine()), aud: appUrl }
    assert.equal(await direct(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`), 401)
    const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string
    const publicJwk = JSON.stringify((await (await fetch(`${stack.proxy.url}/.well-known/jwks.json`)).json() as { keys: unknown[] }).keys[0])
    for (const secret of [publicPem, publicJwk]) {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(claims)}`
      assert.equal(await direct(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`), 401)
    }
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    assert.equal(await direct(await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'other' }).sign(stranger)), 401)
    assert.equal(await direct(await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(stranger)), 401)
  })
})
