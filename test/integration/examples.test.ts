// docs/examples run against the development IdP: the Pocket ID cfg file (docs/examples/pocket-id/oauth2-proxy.cfg)
// and the Crossid environment set with manual endpoints (docs/examples/crossid/crossid.env), each loaded unchanged.
// Only what must point at the test IdP and ports is overridden, with flags (flag > env > file): issuer and endpoint
// URLs, client id and secret, redirect URL, upstream, listen address, and the cookie secret (a placeholder the
// examples make gatehouse refuse, which the first test checks).
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { DEFAULT_DEV_CLIENTS, startDevIdp, type DevIdp } from '../../src/dev/idp.js'
import { CROSSID_ENV, crossidTestFlags, readEnvFile, type Endpoints } from '../helpers/crossid-example.js'
import { createClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, REPO_ROOT, runGatehouse, startGatehouse, type Gatehouse } from '../helpers/process.js'

const POCKET_CFG = join(REPO_ROOT, 'docs/examples/pocket-id/oauth2-proxy.cfg')
const POCKET_CLIENT = { clientId: '3f0c8a52-6d1e-4b7a-9c2f-5e8d1a7b4c60', clientSecret: 'pocket-id-client-secret' }

describe('docs/examples against the development IdP', () => {
  let idp: DevIdp
  let echo: EchoApp
  let endpoints: Endpoints
  const crossidEnv = readEnvFile(CROSSID_ENV)

  before(async () => {
    ;[idp, echo] = await Promise.all([
      startDevIdp({
        issuerPath: '/oauth2',
        clients: [...DEFAULT_DEV_CLIENTS, { ...POCKET_CLIENT, authMethod: 'client_secret_basic', redirectUris: ['http://127.0.0.1:*/oauth2/callback'] }],
      }),
      startEchoApp(),
    ])
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`)
    endpoints = (await res.json()) as Endpoints
  })
  after(async () => {
    await Promise.allSettled([idp?.close(), echo?.close()])
  })

  it('as shipped, each is refused only for its placeholder cookie secret', async () => {
    const pocket = await runGatehouse({ args: ['--config', POCKET_CFG, '--config-test'] })
    assert.equal(pocket.code, 1)
    const pocketProblems = pocket.logs.trimEnd().split('\n').slice(1)
    assert.equal(pocketProblems.length, 1, pocket.logs)
    assert.match(pocketProblems[0] ?? '', /^ {2}cfg key "cookie_secret" in .*oauth2-proxy\.cfg: the cookie secret gives a 35-byte AES key/)

    const crossid = await runGatehouse({ args: ['--config-test'], env: crossidEnv })
    assert.equal(crossid.code, 1)
    const crossidProblems = crossid.logs.trimEnd().split('\n').slice(1)
    assert.equal(crossidProblems.length, 1, crossid.logs)
    assert.match(crossidProblems[0] ?? '', /^ {2}OAUTH2_PROXY_COOKIE_SECRET: the cookie secret gives a 35-byte AES key/)
  })

  describe('Pocket ID: oauth2-proxy.cfg', () => {
    let proxy: Gatehouse
    before(async () => {
      const port = await freePort()
      proxy = await startGatehouse({
        args: [
          '--config', POCKET_CFG,
          `--oidc-issuer-url=${idp.issuer}`,
          `--client-id=${POCKET_CLIENT.clientId}`,
          `--client-secret=${POCKET_CLIENT.clientSecret}`,
          `--redirect-url=http://127.0.0.1:${port}/oauth2/callback`,
          `--cookie-secret=${randomBytes(32).toString('base64url')}`,
          `--upstream=${echo.url}/`,
          `--http-address=127.0.0.1:${port}`,
        ],
      })
    })
    after(async () => {
      await proxy?.stop()
    })

    it('goes straight to the IdP with PKCE and the groups scope, signs alice in and passes her identity', async () => {
      const client = createClient()
      const start = await client.get(`${proxy.url}/paperless/?page=2`)
      assert.equal(start.status, 302, 'skip_provider_button: no sign-in page')
      const auth = new URL(start.location ?? '')
      assert.equal(`${auth.origin}${auth.pathname}`, endpoints.authorization_endpoint)
      assert.equal(auth.searchParams.get('code_challenge_method'), 'S256')
      assert.deepEqual(auth.searchParams.get('scope')?.split(' ').sort(), ['email', 'groups', 'openid', 'profile'])

      const result = await loginViaHttp(createClient(), `${proxy.url}/paperless/?page=2`, { login: 'alice', password: 'alice-password' })
      assert.equal(result.status, 302, result.response.body)
      assert.equal(result.finalUrl, `${proxy.url}/paperless/?page=2`)
      const session = result.response.setCookies.find((c) => c.startsWith('_oauth2_proxy='))
      assert.ok(session !== undefined, result.response.setCookies.join('\n'))
      assert.match(session, /; Max-Age=604800(;|$)/, 'cookie_expire = "168h"')
      assert.match(session, /; Secure(;|$)/, 'cookie_secure = true')
    })

    it('proxies a signed-in request with X-Forwarded-* identity headers', async () => {
      const client = createClient()
      await loginViaHttp(client, `${proxy.url}/`, { login: 'alice', password: 'alice-password' })
      const res = await client.get(`${proxy.url}/paperless/documents?q=1`)
      assert.equal(res.status, 200)
      const seen = res.json<EchoReply>()
      assert.equal(seen.path, '/paperless/documents')
      assert.equal(seen.headers['x-forwarded-user'], 'alice')
      assert.equal(seen.headers['x-forwarded-email'], 'alice@example.com')
      assert.equal(seen.headers['x-forwarded-groups'], 'admins,developers')
    })
  })

  describe('Crossid: crossid.env with manual endpoints', () => {
    let proxy: Gatehouse
    before(async () => {
      const port = await freePort()
      proxy = await startGatehouse({
        env: crossidEnv,
        args: [...crossidTestFlags(idp.issuer, endpoints, `http://127.0.0.1:${port}`, echo.url), `--http-address=127.0.0.1:${port}`],
      })
    })
    after(async () => {
      await proxy?.stop()
    })

    it('shows the Crossid sign-in page, signs bob in without ever reading discovery, and passes his identity', async () => {
      idp.resetStats()
      const page = await createClient().get(`${proxy.url}/reports`, { headers: { accept: 'text/html' } })
      assert.equal(page.status, 403)
      assert.match(page.body, /Crossid/)

      const client = createClient()
      const result = await loginViaHttp(client, `${proxy.url}/reports`, { login: 'bob', password: 'bob-password' })
      assert.equal(result.status, 302, result.response.body)
      assert.equal(result.finalUrl, `${proxy.url}/reports`)
      const res = await client.get(`${proxy.url}/reports`)
      assert.equal(res.status, 200)
      const seen = res.json<EchoReply>()
      assert.equal(seen.headers['x-forwarded-email'], 'bob@example.com')
      assert.equal(seen.headers['x-forwarded-user'], 'bob')
      assert.equal(idp.stats.discoveryCalls, 0, 'OAUTH2_PROXY_SKIP_OIDC_DISCOVERY=true from the env file')
      assert.ok(idp.stats.jwksCalls >= 1, 'the ID token was checked against OIDC_JWKS_URL')
    })
  })
})
