// Several domains behind one real nginx (server_name routing, Host names resolved to 127.0.0.1 by the test
// client): docs/examples/nginx-multi-domain runs one gatehouse per domain from per-domain cfg files, and
// docs/examples/nginx-subdomains one gatehouse for several subdomains with cookie_domains and whitelist_domains.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { DevClient } from '../../src/dev/idp.js'
import { loadExample, loopbackDispatcher } from '../helpers/examples.js'
import { startBackends, newCookieSecret, startFromExample, type Backends } from '../helpers/forward-auth.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { startNginx, type Nginx } from '../helpers/nginx.js'
import { freePort, type Gatehouse } from '../helpers/process.js'

const EXAMPLE_COM = ['http://*.example.com:*/**']
const client = (clientId: string): DevClient => ({ clientId, clientSecret: `${clientId}-secret`, authMethod: 'client_secret_basic', redirectUris: EXAMPLE_COM })
const dispatcher = loopbackDispatcher()
const browser = (): HttpClient => createClient({ dispatcher })

async function signIn(c: HttpClient, url: string, login: string): Promise<string> {
  const result = await loginViaHttp(c, url, { login, password: `${login}-password` })
  assert.equal(result.status, 302, 'the callback redirects')
  return result.finalUrl
}

describe('one gatehouse per domain (docs/examples/nginx-multi-domain)', () => {
  let backends: Backends
  const proxies: Gatehouse[] = []
  let nginx: Nginx
  let port: number

  before(async () => {
    backends = await startBackends({ clients: [client('a-example-com'), client('b-example-com')] })
    port = await freePort()
    const gatehouses: Record<string, string> = {}
    for (const d of ['a', 'b']) {
      const address = `127.0.0.1:${await freePort()}`
      gatehouses[d] = address
      proxies.push(
        await startFromExample(backends, {
          example: 'nginx-multi-domain',
          file: `${d}.example.com.cfg`,
          address,
          replace: {
            [d === 'a' ? '127.0.0.1:4181' : '127.0.0.1:4182']: address,
            'https://idp.example.com': backends.idp.issuer,
            '"change-me"': `"${d}-example-com-secret"`,
            [`change-me-to-32-random-bytes-base64-${d}`]: newCookieSecret(),
            [`https://${d}.example.com/oauth2/callback`]: `http://${d}.example.com:${port}/oauth2/callback`,
          },
          args: ['--cookie-secure=false'],
        }),
      )
    }
    const servers = await loadExample('nginx-multi-domain', 'domains.conf', {
      'listen 80;': `listen 127.0.0.1:${port};`,
      '127.0.0.1:4181': gatehouses.a ?? '',
      '127.0.0.1:4182': gatehouses.b ?? '',
      '127.0.0.1:8080': backends.echoAddress,
    })
    nginx = await startNginx({ servers, ports: [port] })
  })
  after(async () => {
    await Promise.allSettled([nginx?.stop(), ...proxies.map((p) => p.stop())])
    await backends?.close()
  })

  it('keeps each domain its own sign-in: a session on one is no session on the other', async () => {
    const c = browser()
    const a = `http://a.example.com:${port}`
    const b = `http://b.example.com:${port}`
    assert.equal(await signIn(c, `${a}/home`, 'alice'), `${a}/home`)
    const onA = await c.get(`${a}/home`)
    assert.equal(onA.status, 200)
    assert.equal(onA.json<EchoReply>().headers['x-auth-request-user'], 'alice')
    assert.equal(onA.json<EchoReply>().headers.host, 'a.example.com', 'nginx routed by server_name ($host)')

    const onB = await c.get(`${b}/home`)
    assert.equal(onB.status, 403, 'b.example.com asks for its own sign-in')
    assert.match(onB.body, /oauth2\/start/)

    // a's cookie presented to b: another secret, so not a session there.
    const cookieA = c.jar.header(`${a}/`)
    assert.ok(cookieA !== undefined)
    const forged = await browser().get(`${b}/home`, { headers: { cookie: cookieA } })
    assert.equal(forged.status, 403)

    // Signing in on b goes through b's own callback (the IdP remembers alice: no password asked again).
    const finalB = await loginViaHttp(c, `${b}/work`, { login: 'alice', password: 'alice-password' })
    assert.equal(finalB.finalUrl, `${b}/work`)
    assert.equal((await c.get(`${b}/work`)).json<EchoReply>().headers['x-auth-request-user'], 'alice')
    assert.notEqual(c.jar.get(`${b}/`, '_oauth2_proxy'), c.jar.get(`${a}/`, '_oauth2_proxy'), 'two sessions, one per domain')

    const bob = browser()
    assert.equal(await signIn(bob, `${b}/work`, 'bob'), `${b}/work`)
    assert.equal((await bob.get(`${b}/work`)).json<EchoReply>().headers['x-auth-request-user'], 'bob')
    assert.equal((await bob.get(`${a}/home`)).status, 403, 'bob is not signed in on a')
  })
})

describe('one gatehouse for several subdomains (docs/examples/nginx-subdomains)', () => {
  let backends: Backends
  let proxy: Gatehouse
  let nginx: Nginx
  let port: number

  before(async () => {
    backends = await startBackends({ clients: [client('gatehouse')] })
    port = await freePort()
    const address = `127.0.0.1:${await freePort()}`
    proxy = await startFromExample(backends, {
      example: 'nginx-subdomains',
      file: 'gatehouse.cfg',
      address,
      replace: {
        '127.0.0.1:4180': address,
        'https://idp.example.com': backends.idp.issuer,
        '"change-me"': '"gatehouse-secret"',
        'change-me-to-32-random-bytes-base64': newCookieSecret(),
        'https://auth.example.com/oauth2/callback': `http://auth.example.com:${port}/oauth2/callback`,
        // Redirects carry the test's port: allow any port on the listed domain.
        'whitelist_domains = [".example.com"]': 'whitelist_domains = [".example.com:*"]',
      },
      args: ['--cookie-secure=false'],
    })
    const servers = await loadExample('nginx-subdomains', 'subdomains.conf', {
      'listen 80;': `listen 127.0.0.1:${port};`,
      '127.0.0.1:4180': address,
      '127.0.0.1:8080': backends.echoAddress,
    })
    nginx = await startNginx({ servers, ports: [port] })
  })
  after(async () => {
    await Promise.allSettled([nginx?.stop(), proxy?.stop()])
    await backends?.close()
  })

  it('signs in once through the shared callback and returns to the subdomain asked for', async () => {
    const c = browser()
    const app2 = `http://app2.example.com:${port}`
    assert.equal(await signIn(c, `${app2}/orders?id=7`, 'alice'), `${app2}/orders?id=7`)
    const session = c.jar.cookie(`${app2}/`, '_oauth2_proxy')
    assert.ok(session !== undefined)
    assert.equal(session.domain, 'example.com')
    assert.equal(session.hostOnly, false)
    const res = await c.get(`${app2}/orders?id=7`)
    assert.equal(res.status, 200)
    assert.equal(res.json<EchoReply>().headers['x-auth-request-email'], 'alice@example.com')
  })

  it('the same session works on the other subdomain without signing in again', async () => {
    const c = browser()
    await signIn(c, `http://app1.example.com:${port}/`, 'bob')
    const res = await c.get(`http://app2.example.com:${port}/dashboard`)
    assert.equal(res.status, 200)
    assert.equal(res.json<EchoReply>().headers['x-auth-request-user'], 'bob')
  })

  it('refuses to send the user to a host outside whitelist_domains after sign-in', async () => {
    const c = browser()
    const start = await c.get(`http://app1.example.com:${port}/oauth2/start?rd=${encodeURIComponent('http://evil.example.org/steal')}`)
    assert.equal(start.status, 302)
    const state = new URL(start.location ?? '').searchParams.get('state') ?? ''
    const redirect = new URL(state.slice(state.indexOf(':') + 1))
    // rd is refused; the next candidate is nginx's X-Auth-Request-Redirect, on the subdomain itself.
    assert.equal(redirect.host, `app1.example.com:${port}`)
  })
})
