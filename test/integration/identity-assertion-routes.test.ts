// identityAssertion per route through the real process: routes of different audiences, a route that turns the
// assertion on without --set-identity-assertion (the key ring and the JWKS then exist all the same), a route that
// turns it off under the flag, and /oauth2/auth answering for the route X-Forwarded-Uri names. Every JWT is checked
// with jose against the JWKS gatehouse publishes.
import { strict as assert } from 'node:assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { HttpClient } from '../helpers/http.js'
import { sighup } from '../helpers/reload.js'
import { startStack, type Stack } from '../helpers/stack.js'

const FORGED = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'

describe('identity assertion per route', () => {
  let dir: string
  let routesFile: string
  let stack: Stack
  let alice: HttpClient
  /** The route `own-upstream` proxies to the echo app by another name: its default audience differs. */
  let ownOrigin: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-route-assertion-'))
    stack = await startStack({ args: ['--reverse-proxy=true', '--trusted-proxy-ip=127.0.0.1'] })
    ownOrigin = `http://localhost:${stack.echo.port}`
    routesFile = join(dir, 'routes.yaml')
    await writeFile(
      routesFile,
      [
        'routes:',
        '  - id: app-a',
        '    path: { prefix: /a/ }',
        '    identityAssertion: { audience: "urn:app-a" }',
        '  - id: app-b',
        '    path: { prefix: /b/ }',
        '    identityAssertion: { audience: "urn:app-b" }',
        '  - id: own-upstream',
        '    path: { prefix: /own/ }',
        `    upstream: ${ownOrigin}`,
        '    identityAssertion: true',
        '  - id: off',
        '    path: { prefix: /off/ }',
        '    identityAssertion: false',
        '  - id: rest',
        '',
      ].join('\n'),
    )
    await stack.restartProxy([`--alpha-config=${routesFile}`])
    alice = (await stack.signIn('alice')).client
  })
  after(async () => {
    await stack?.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function keys(): Promise<ReturnType<typeof createLocalJWKSet>> {
    const r = await stack.client().get(`${stack.proxy.url}/.well-known/jwks.json`)
    assert.equal(r.status, 200, 'the JWKS is served whenever the key ring exists')
    return createLocalJWKSet(r.json<JSONWebKeySet>())
  }

  async function upstreamToken(path: string): Promise<string | undefined> {
    const r = await alice.get(`${stack.proxy.url}${path}`, { headers: { 'X-Gatehouse-Assertion': FORGED } })
    assert.equal(r.status, 200, path)
    const echo = r.json<EchoReply>()
    assert.equal(echo.rawHeaders.filter(([name]) => name.toLowerCase() === 'x-gatehouse-assertion').length <= 1, true)
    const token = echo.headers['x-gatehouse-assertion'] as string | undefined
    assert.notEqual(token, FORGED, `${path}: the client's copy never reaches the upstream`)
    return token
  }

  async function verified(token: string | undefined, audience: string): Promise<string> {
    assert.ok(token, `an assertion for ${audience}`)
    const { payload } = await jwtVerify(token, await keys(), { issuer: stack.proxy.url, audience, algorithms: ['ES256'] })
    assert.equal(payload.sub, 'alice')
    return token
  }

  it('without the global flag: only the routes that ask get one, each for its own audience', async () => {
    assert.match(stack.proxy.logs(), /assertion\.key\.generated/)
    const a = await verified(await upstreamToken('/a/x'), 'urn:app-a')
    const b = await verified(await upstreamToken('/b/x'), 'urn:app-b')
    assert.notEqual(a, b)
    await assert.rejects(jwtVerify(a, await keys(), { issuer: stack.proxy.url, audience: 'urn:app-b' }), /aud/, "app-b refuses app-a's assertion")
    await verified(await upstreamToken('/own/x'), ownOrigin)
    assert.equal(await upstreamToken('/off/x'), undefined)
    assert.equal(await upstreamToken('/x'), undefined, 'a route without the key follows --set-identity-assertion (off)')
  })

  it('/oauth2/auth answers with the audience of the route X-Forwarded-Uri names', async () => {
    const auth = async (uri: string): Promise<string | undefined> => {
      const r = await alice.get(`${stack.proxy.url}/oauth2/auth`, { headers: { 'X-Forwarded-Uri': uri, 'X-Forwarded-Host': 'app.example.com', 'X-Forwarded-Proto': 'https' } })
      assert.equal(r.status, 202, uri)
      return r.header('x-gatehouse-assertion')
    }
    await verified(await auth('/a/page'), 'urn:app-a')
    await verified(await auth('/b/page'), 'urn:app-b')
    // `true` keeps the default audience, which for a 202 is the origin the user asked for (the app behind the proxy).
    await verified(await auth('/own/page'), 'https://app.example.com')
    assert.equal(await auth('/off/page'), undefined)
    assert.equal(await auth('/page'), undefined)
  })

  it('under --set-identity-assertion: false turns it off, a route audience beats --assertion-audience', async () => {
    await stack.restartProxy([`--alpha-config=${routesFile}`, '--set-identity-assertion', '--assertion-audience=urn:everyone'])
    alice = (await stack.signIn('alice')).client
    await verified(await upstreamToken('/a/x'), 'urn:app-a')
    await verified(await upstreamToken('/own/x'), 'urn:everyone')
    await verified(await upstreamToken('/x'), 'urn:everyone')
    assert.equal(await upstreamToken('/off/x'), undefined, 'off: no assertion, and the forged copy is stripped')
    const r = await alice.get(`${stack.proxy.url}/oauth2/auth`, { headers: { 'X-Forwarded-Uri': '/off/page' } })
    assert.equal(r.status, 202)
    assert.equal(r.header('x-gatehouse-assertion'), undefined)
    assert.equal(decodeJwt((await alice.get(`${stack.proxy.url}/oauth2/auth`, { headers: { 'X-Forwarded-Uri': '/b/page' } })).header('x-gatehouse-assertion') ?? '').aud, 'urn:app-b')
  })

  it('refuses a reload that turns a route assertion on when gatehouse started without a key ring', async () => {
    const plain = join(dir, 'plain.yaml')
    await writeFile(plain, 'routes:\n  - id: off\n    path: { prefix: /off/ }\n    identityAssertion: false\n  - id: rest\n')
    await stack.restartProxy([`--alpha-config=${plain}`])
    assert.equal((await stack.client().get(`${stack.proxy.url}/.well-known/jwks.json`, { headers: { accept: 'application/json' } })).status, 401, 'no key ring, no JWKS')
    await writeFile(plain, 'routes:\n  - id: off\n    path: { prefix: /off/ }\n    identityAssertion: false\n  - id: rest\n    identityAssertion: { audience: "urn:rest" }\n')
    const [refused] = await sighup(stack.proxy)
    assert.equal(refused?.outcome, 'refused')
    assert.match((refused?.problems ?? []).join('\n'), /routes\[1\]\.identityAssertion.*restart gatehouse/)
    alice = (await stack.signIn('alice')).client
    assert.equal(await upstreamToken('/x'), undefined, 'the running configuration keeps serving')
    await writeFile(plain, 'routes:\n  - id: rest\n    identityAssertion: false\n')
    assert.equal((await sighup(stack.proxy))[0]?.outcome, 'ok', 'false needs no key ring')
  })
})
