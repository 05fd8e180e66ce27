// docs/examples/nginx through the real nginx: auth_request on every location, the sign-in page on 401
// returning the user to the page asked for, identity headers from auth_request_set to the app (client copies
// replaced), a group-restricted location (403, never a login loop), and a refreshed session's Set-Cookie
// passed back to the browser.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { startBackends, newCookieSecret, startFromExample, type Backends } from '../helpers/forward-auth.js'
import { loadExample } from '../helpers/examples.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { startNginx, type Nginx } from '../helpers/nginx.js'
import { freePort, type Gatehouse } from '../helpers/process.js'

describe('nginx auth_request (docs/examples/nginx)', () => {
  let backends: Backends
  let proxy: Gatehouse
  let nginx: Nginx
  let base: string

  before(async () => {
    backends = await startBackends()
    const [gatehousePort, nginxPort] = [await freePort(), await freePort()]
    base = `http://127.0.0.1:${nginxPort}`
    const gatehouse = `127.0.0.1:${gatehousePort}`
    proxy = await startFromExample(backends, {
      example: 'nginx',
      file: 'gatehouse.cfg',
      address: gatehouse,
      replace: {
        '127.0.0.1:4180': gatehouse,
        'https://idp.example.com/realms/main': backends.idp.issuer,
        '"change-me"': '"gatehouse-secret"',
        'change-me-to-32-random-bytes-base64': newCookieSecret(),
        'https://app.example.com/oauth2/callback': `${base}/oauth2/callback`,
      },
      // Plain http in the test, and a refresh period short enough to observe.
      args: ['--cookie-secure=false', '--cookie-refresh=2s'],
    })
    const servers = await loadExample('nginx', 'app.conf', {
      'listen 80;': `listen 127.0.0.1:${nginxPort};`,
      '127.0.0.1:4180': gatehouse,
      '127.0.0.1:8080': backends.echoAddress,
    })
    nginx = await startNginx({ servers, ports: [nginxPort] })
  })
  after(async () => {
    await Promise.allSettled([nginx?.stop(), proxy?.stop()])
    await backends?.close()
  })

  async function signIn(login: string, path: string): Promise<{ client: HttpClient; finalUrl: string }> {
    const client = createClient()
    const result = await loginViaHttp(client, `${base}${path}`, { login, password: `${login}-password` })
    assert.equal(result.status, 302, 'the callback redirects')
    return { client, finalUrl: result.finalUrl }
  }

  it('answers a visitor without a session with the sign-in page (403) and never reaches the app', async () => {
    const res = await createClient().get(`${base}/reports?year=2025&q=a%20b`, { headers: { 'x-auth-request-user': 'mallory' } })
    assert.equal(res.status, 403)
    assert.match(res.body, /oauth2\/start/)
    assert.match(res.body, /name="rd" value="\/reports\?year=2025&amp;q=a%20b"/, 'the form carries the page asked for')
    assert.doesNotMatch(res.body, /"rawQuery"/, 'not the echo app')
  })

  it('signs in and returns the user to the page asked for, query string intact', async () => {
    const { client, finalUrl } = await signIn('alice', '/reports?year=2025&q=a%20b')
    assert.equal(finalUrl, `${base}/reports?year=2025&q=a%20b`)
    const res = await client.get(finalUrl)
    assert.equal(res.status, 200)
    const echo = res.json<EchoReply>()
    assert.equal(echo.path, '/reports')
    assert.equal(echo.rawQuery, 'year=2025&q=a%20b')
  })

  it('passes X-Auth-Request-* from auth_request_set to the app, replacing copies the client sent', async () => {
    const { client } = await signIn('alice', '/')
    const res = await client.get(`${base}/whoami`, {
      headers: { 'X-Auth-Request-User': 'mallory', 'X-Auth-Request-Groups': 'root', 'X-Auth-Request-Access-Token': 'forged' },
    })
    assert.equal(res.status, 200)
    const h = res.json<EchoReply>().headers
    assert.equal(h['x-auth-request-user'], 'alice')
    assert.equal(h['x-auth-request-email'], 'alice@example.com')
    assert.equal(h['x-auth-request-groups'], 'admins,developers')
    assert.equal(h['x-auth-request-preferred-username'], 'alice')
    const token = h['x-auth-request-access-token']
    assert.ok(typeof token === 'string' && token.length > 10 && token !== 'forged', 'the real access token')
  })

  it('sends the request body to the app but not to the auth subrequest', async () => {
    const { client } = await signIn('bob', '/')
    const res = await client.post(`${base}/submit`, { note: 'hello' })
    assert.equal(res.status, 200)
    assert.equal(res.json<EchoReply>().body, 'note=hello')
  })

  it('lets admins into /admin/, answers bob 403 without a sign-in loop, and sends visitors to sign in', async () => {
    const { client: alice } = await signIn('alice', '/')
    const ok = await alice.get(`${base}/admin/panel`)
    assert.equal(ok.status, 200)
    assert.equal(ok.json<EchoReply>().headers['x-auth-request-user'], 'alice')

    const { client: bob } = await signIn('bob', '/')
    const denied = await bob.get(`${base}/admin/panel`)
    assert.equal(denied.status, 403)
    assert.doesNotMatch(denied.body, /oauth2\/start/, 'no sign-in page for a signed-in user')
    assert.equal(denied.location, undefined)
    assert.ok(bob.jar.get(base, '_oauth2_proxy') !== undefined, 'bob keeps his session')
    assert.equal((await bob.get(`${base}/elsewhere`)).status, 200, 'and can still use the rest of the app')

    const visitor = await createClient().get(`${base}/admin/panel`)
    assert.equal(visitor.status, 403)
    assert.match(visitor.body, /name="rd" value="\/admin\/panel"/)
  })

  it('passes the refreshed session cookie from the auth subrequest back to the browser', async () => {
    const { client } = await signIn('alice', '/')
    const before = client.jar.get(base, '_oauth2_proxy')
    await new Promise((r) => setTimeout(r, 3000))
    const res = await client.get(`${base}/after-refresh`)
    assert.equal(res.status, 200)
    const cookie = res.setCookies.find((c) => c.startsWith('_oauth2_proxy='))
    assert.ok(cookie !== undefined, 'nginx passed on the Set-Cookie of /oauth2/auth')
    assert.match(cookie, /HttpOnly/i)
    assert.notEqual(client.jar.get(base, '_oauth2_proxy'), before)
    assert.equal((await client.get(`${base}/again`)).status, 200, 'the new cookie is accepted')
  })
})
