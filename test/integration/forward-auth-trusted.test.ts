// X-Forwarded-Uri, X-Original-URI, X-Forwarded-Host and X-Forwarded-Method are believed only from peers in
// --trusted-proxy-ip: for skip-auth routes on /oauth2/auth (through the real nginx and directly) and for the
// redirect after sign-in. The trusted peer is 127.0.0.1 (nginx, or a client bound to it); 127.0.0.2 is
// another loopback address outside the list, standing in for a client that reaches gatehouse directly.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { fromAddress, loadExample } from '../helpers/examples.js'
import { startBackends, newCookieSecret, startFromExample, type Backends } from '../helpers/forward-auth.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { startNginx, type Nginx } from '../helpers/nginx.js'
import { freePort, type Gatehouse } from '../helpers/process.js'

describe('forwarded headers only from trusted proxies', () => {
  let backends: Backends
  let proxy: Gatehouse
  let nginx: Nginx
  let base: string
  let trusted: HttpClient
  let untrusted: HttpClient

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
      args: ['--cookie-secure=false', '--skip-auth-route=GET=^/public/', '--whitelist-domain=app.example.com'],
    })
    const servers = await loadExample('nginx', 'app.conf', {
      'listen 80;': `listen 127.0.0.1:${nginxPort};`,
      '127.0.0.1:4180': gatehouse,
      '127.0.0.1:8080': backends.echoAddress,
    })
    nginx = await startNginx({ servers, ports: [nginxPort] })
    trusted = createClient({ dispatcher: fromAddress('127.0.0.1') })
    untrusted = createClient({ dispatcher: fromAddress('127.0.0.2') })
  })
  after(async () => {
    await Promise.allSettled([nginx?.stop(), proxy?.stop()])
    await backends?.close()
  })

  it('through nginx: a GET skip-auth route reaches the app without a session, a POST to it does not', async () => {
    const get = await createClient().get(`${base}/public/info?x=1`)
    assert.equal(get.status, 200)
    assert.equal(get.json<EchoReply>().path, '/public/info')
    assert.equal(get.json<EchoReply>().headers['x-auth-request-user'], undefined, 'no identity without a session')
    const post = await createClient().post(`${base}/public/info`, { a: '1' })
    assert.equal(post.status, 403, 'X-Forwarded-Method: POST does not match GET=^/public/')
    assert.match(post.body, /oauth2\/start/)
  })

  it('/oauth2/auth honours X-Forwarded-Uri, X-Original-URI and X-Forwarded-Method from a trusted peer', async () => {
    const auth = `${proxy.url}/oauth2/auth`
    assert.equal((await trusted.get(auth, { headers: { 'X-Forwarded-Uri': '/public/a' } })).status, 202)
    assert.equal((await trusted.get(auth, { headers: { 'X-Original-URI': '/public/a' } })).status, 202)
    assert.equal((await trusted.get(auth, { headers: { 'X-Forwarded-Uri': '/public/a', 'X-Forwarded-Method': 'POST' } })).status, 401)
    assert.equal((await trusted.get(auth, { headers: { 'X-Forwarded-Uri': '/private' } })).status, 401)
  })

  it('/oauth2/auth ignores the same headers from a peer outside --trusted-proxy-ip', async () => {
    const auth = `${proxy.url}/oauth2/auth`
    assert.equal((await untrusted.get(auth, { headers: { 'X-Forwarded-Uri': '/public/a' } })).status, 401)
    assert.equal((await untrusted.get(auth, { headers: { 'X-Original-URI': '/public/a' } })).status, 401)
    assert.equal((await untrusted.get(auth, { headers: { 'X-Forwarded-Uri': '/public/a', 'X-Forwarded-Method': 'GET' } })).status, 401)
  })

  /** The redirect gatehouse sealed into the state it sends to the IdP (`<hash>:<redirect>`). */
  async function redirectInState(client: HttpClient, headers: Record<string, string>): Promise<string> {
    const res = await client.get(`${proxy.url}/oauth2/start`, { headers })
    assert.equal(res.status, 302)
    const state = new URL(res.location ?? '').searchParams.get('state') ?? ''
    return state.slice(state.indexOf(':') + 1)
  }

  it('builds the post-sign-in redirect from X-Forwarded-Host/-Proto/-Uri only for a trusted peer', async () => {
    const forwarded = { 'X-Forwarded-Host': 'app.example.com', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Uri': '/reports?y=1' }
    assert.equal(await redirectInState(trusted, forwarded), 'https://app.example.com/reports?y=1')
    assert.equal(await redirectInState(untrusted, forwarded), '/')
    // A forwarded host outside --whitelist-domain falls back to the path alone.
    assert.equal(await redirectInState(trusted, { ...forwarded, 'X-Forwarded-Host': 'evil.example' }), '/reports?y=1')
  })

  it('the sign-in page takes rd from X-Forwarded-Uri only for a trusted peer', async () => {
    const trustedPage = await trusted.get(`${proxy.url}/oauth2/sign_in`, { headers: { 'X-Forwarded-Uri': '/deep/link' } })
    assert.match(trustedPage.body, /name="rd" value="\/deep\/link"/)
    const untrustedPage = await untrusted.get(`${proxy.url}/oauth2/sign_in`, { headers: { 'X-Forwarded-Uri': '/deep/link' } })
    assert.match(untrustedPage.body, /name="rd" value="\/"/)
  })
})
