// docs/examples/caddy through the real Caddy: forward_auth to /oauth2/auth, the sign-in page on 401 returning
// the user to the page asked for, identity headers copied to the app with copy_headers (client copies replaced),
// and a group-restricted route answering 403 to signed-in users outside the group.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { startCaddy, type Caddy } from '../helpers/caddy.js'
import { loadExample } from '../helpers/examples.js'
import { startBackends, newCookieSecret, startFromExample, type Backends } from '../helpers/forward-auth.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, type Gatehouse } from '../helpers/process.js'

describe('Caddy forward_auth (docs/examples/caddy)', () => {
  let backends: Backends
  let proxy: Gatehouse
  let caddy: Caddy
  let base: string

  before(async () => {
    backends = await startBackends()
    const [gatehousePort, caddyPort] = [await freePort(), await freePort()]
    base = `http://127.0.0.1:${caddyPort}`
    const gatehouse = `127.0.0.1:${gatehousePort}`
    proxy = await startFromExample(backends, {
      example: 'caddy',
      file: 'gatehouse.cfg',
      address: gatehouse,
      replace: {
        '127.0.0.1:4180': gatehouse,
        'https://idp.example.com': backends.idp.issuer,
        '"change-me"': '"gatehouse-secret"',
        'change-me-to-32-random-bytes-base64': newCookieSecret(),
        'https://app.example.com/oauth2/callback': `${base}/oauth2/callback`,
      },
      args: ['--cookie-secure=false'],
    })
    const sites = await loadExample('caddy', 'Caddyfile', {
      'app.example.com {': `${base} {`,
      '127.0.0.1:4180': gatehouse,
      '127.0.0.1:8080': backends.echoAddress,
    })
    caddy = await startCaddy({ sites, ports: [caddyPort] })
  })
  after(async () => {
    await Promise.allSettled([caddy?.stop(), proxy?.stop()])
    await backends?.close()
  })

  async function signIn(login: string, path: string): Promise<{ client: HttpClient; finalUrl: string }> {
    const client = createClient()
    const result = await loginViaHttp(client, `${base}${path}`, { login, password: `${login}-password` })
    assert.equal(result.status, 302, 'the callback redirects')
    return { client, finalUrl: result.finalUrl }
  }

  it('answers a visitor without a session with the sign-in page for the page asked for', async () => {
    const res = await createClient().get(`${base}/reports?year=2025&q=a%20b`)
    assert.match(res.body, /oauth2\/start/)
    assert.match(res.body, /name="rd" value="\/reports\?year=2025&amp;q=a%20b"/)
    assert.doesNotMatch(res.body, /"rawQuery"/, 'not the echo app')
  })

  it('signs in, returns to the page, and copies the identity headers to the app', async () => {
    const { client, finalUrl } = await signIn('alice', '/reports?year=2025&q=a%20b')
    assert.equal(finalUrl, `${base}/reports?year=2025&q=a%20b`)
    const res = await client.get(finalUrl, { headers: { 'X-Auth-Request-User': 'mallory', 'X-Auth-Request-Groups': 'root' } })
    assert.equal(res.status, 200)
    const echo = res.json<EchoReply>()
    assert.equal(echo.rawQuery, 'year=2025&q=a%20b')
    assert.equal(echo.headers['x-auth-request-user'], 'alice')
    assert.equal(echo.headers['x-auth-request-email'], 'alice@example.com')
    assert.equal(echo.headers['x-auth-request-groups'], 'admins,developers')
    assert.equal(echo.headers['x-auth-request-preferred-username'], 'alice')
  })

  it('lets admins into /admin/, answers bob 403 without a sign-in loop', async () => {
    const { client: alice } = await signIn('alice', '/')
    const ok = await alice.get(`${base}/admin/panel`)
    assert.equal(ok.status, 200)
    assert.equal(ok.json<EchoReply>().headers['x-auth-request-user'], 'alice')
    const { client: bob } = await signIn('bob', '/')
    const denied = await bob.get(`${base}/admin/panel`)
    assert.equal(denied.status, 403)
    assert.doesNotMatch(denied.body, /oauth2\/start/)
    assert.equal((await bob.get(`${base}/elsewhere`)).status, 200)
    const visitor = await createClient().get(`${base}/admin/panel`)
    assert.match(visitor.body, /name="rd" value="\/admin\/panel"/)
  })

  it('honours a GET skip-auth route only for the method Caddy forwards (X-Forwarded-Method)', async () => {
    await proxy.stop()
    proxy = await startFromExample(backends, {
      example: 'caddy',
      file: 'gatehouse.cfg',
      address: new URL(proxy.url).host,
      replace: {
        '127.0.0.1:4180': new URL(proxy.url).host,
        'https://idp.example.com': backends.idp.issuer,
        '"change-me"': '"gatehouse-secret"',
        'change-me-to-32-random-bytes-base64': newCookieSecret(),
        'https://app.example.com/oauth2/callback': `${base}/oauth2/callback`,
      },
      args: ['--cookie-secure=false', '--skip-auth-route=GET=^/public/'],
    })
    const get = await createClient().get(`${base}/public/page`)
    assert.equal(get.status, 200)
    assert.equal(get.json<EchoReply>().path, '/public/page')
    const post = await createClient().post(`${base}/public/page`, { a: '1' })
    assert.match(post.body, /oauth2\/start/, 'POST needs a session')
  })
})
