// Key rotation of the identity assertion across two gatehouse replicas sharing one --assertion-key-file: a new first
// key is published at once and signs only once the file is --assertion-key-publish-ahead old (by its modification
// time, which both replicas read alike); a key removed from the file stays published while assertions it signed live.
import { strict as assert } from 'node:assert'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, exportJWK, jwtVerify, type JSONWebKeySet } from 'jose'
import { createPublicKey, type KeyObject } from 'node:crypto'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, startGatehouse, type Gatehouse } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

const PUBLISH_AHEAD_MS = 10 * 60_000

function pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string
}

async function kidOf(key: KeyObject): Promise<string> {
  const { kty, crv, x, y, n, e } = await exportJWK(createPublicKey(key))
  return calculateJwkThumbprint({ kty: kty!, ...(crv === undefined ? {} : { crv }), ...(x === undefined ? {} : { x }), ...(y === undefined ? {} : { y }), ...(n === undefined ? {} : { n, e: e! }) })
}

/** Polls until `check` holds: the replicas look at the key file every 2 s. Bounded to 15 s. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 75; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  assert.fail(`never happened: ${what}`)
}

describe('assertion key rotation across two replicas', () => {
  let dir: string
  let file: string
  let stack: Stack
  let second: Gatehouse
  let replicas: { url: string; client: HttpClient }[]
  const k1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const k2 = generateKeyPairSync('ed25519').privateKey
  let kid1: string
  let kid2: string

  before(async () => {
    ;[kid1, kid2] = await Promise.all([kidOf(k1), kidOf(k2)])
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-keys-'))
    file = join(dir, 'assertion-keys.pem')
    await writeFile(file, pem(k1), { mode: 0o600 })
    const flags = ['--set-identity-assertion', `--assertion-key-file=${file}`, '--assertion-key-publish-ahead=10m']
    stack = await startStack({ args: flags })
    const port = await freePort()
    second = await startGatehouse({
      args: [
        '--provider=oidc', `--oidc-issuer-url=${stack.idp.issuer}`, '--client-id=gatehouse', '--client-secret=gatehouse-secret',
        `--cookie-secret=${stack.cookieSecret}`, '--cookie-secure=false', '--email-domain=*', `--upstream=${stack.echo.url}/`,
        `--redirect-url=http://127.0.0.1:${port}/oauth2/callback`, ...flags, `--http-address=127.0.0.1:${port}`,
      ],
    })
    replicas = []
    for (const url of [stack.proxy.url, second.url]) {
      const client = createClient()
      await loginViaHttp(client, `${url}/`, { login: 'alice', password: 'alice-password' })
      replicas.push({ url, client })
    }
  })
  after(async () => {
    await Promise.allSettled([second?.stop(), stack?.close()])
    await rm(dir, { recursive: true, force: true })
  })

  async function jwks(url: string): Promise<JSONWebKeySet> {
    return (await createClient().get(`${url}/.well-known/jwks.json`)).json<JSONWebKeySet>()
  }
  async function kids(url: string): Promise<string[]> {
    return (await jwks(url)).keys.map((k) => k.kid ?? '').sort()
  }
  /** The kid of the assertion a replica sends now, after checking it against that replica's JWKS. */
  async function signingKid(replica: { url: string; client: HttpClient }): Promise<string> {
    const token = (await replica.client.get(`${replica.url}/`)).json<EchoReply>().headers['x-gatehouse-assertion'] as string
    await jwtVerify(token, createLocalJWKSet(await jwks(replica.url)), { audience: stack.echo.url })
    return decodeProtectedHeader(token).kid ?? ''
  }

  it('names the shared key the same on both replicas (its RFC 7638 thumbprint) and signs with it', async () => {
    for (const r of replicas) {
      assert.deepEqual(await kids(r.url), [kid1])
      assert.equal(await signingKid(r), kid1)
    }
    assert.doesNotMatch(stack.proxy.logs(), /assertion\.key\.generated/)
  })

  it('publishes a new first key at once, and keeps signing with the old one during the publish-ahead time', async () => {
    await writeFile(file, pem(k2) + pem(k1))
    for (const r of replicas) await eventually(`${r.url} publishes both keys`, async () => (await kids(r.url)).length === 2)
    for (const r of replicas) {
      assert.deepEqual(await kids(r.url), [kid1, kid2].sort())
      assert.equal(await signingKid(r), kid1, 'the new key is not signing yet')
    }
  })

  it('signs with the new key once the file is older than the publish-ahead time, on both replicas', async () => {
    const past = new Date(Date.now() - PUBLISH_AHEAD_MS - 60_000)
    await utimes(file, past, past)
    for (const r of replicas) await eventually(`${r.url} signs with the new key`, async () => (await signingKid(r)) === kid2)
    for (const r of replicas) assert.deepEqual(await kids(r.url), [kid1, kid2].sort(), 'the old key is still published')
  })

  it('keeps publishing a removed key while assertions it signed are still valid', async () => {
    await writeFile(file, pem(k2))
    await eventually('the replicas reloaded the file', async () => /assertion\.keys\.reloaded[^\n]*"kids":\["[^"]+"\]/.test(second.logs()))
    for (const r of replicas) {
      assert.deepEqual(await kids(r.url), [kid1, kid2].sort(), 'assertions signed by the old key live up to 5 more minutes')
      assert.equal(await signingKid(r), kid2)
    }
  })
})
