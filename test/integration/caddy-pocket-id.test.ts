// docs/examples/pocket-id: the Pocket ID cfg (groups scope, PKCE, allowed_groups) behind the real Caddy, with the
// dev IdP standing in for Pocket ID (a UUID client id, groups in the "groups" claim).
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { DEFAULT_DEV_USERS } from '../../src/dev/idp.js'
import { startCaddy, type Caddy } from '../helpers/caddy.js'
import { loadExample } from '../helpers/examples.js'
import { startBackends, newCookieSecret, startFromExample, type Backends } from '../helpers/forward-auth.js'
import { createClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, type Gatehouse } from '../helpers/process.js'

const CLIENT_ID = '6f1c1a52-3c0e-4a9b-9f0e-2d1b5c7e8a90'

describe('Pocket ID behind Caddy (docs/examples/pocket-id)', () => {
  let backends: Backends
  let proxy: Gatehouse
  let caddy: Caddy
  let base: string

  before(async () => {
    backends = await startBackends({
      users: [
        ...DEFAULT_DEV_USERS,
        { sub: 'dave', email: 'dave@example.com', emailVerified: true, name: 'Dave', preferredUsername: 'dave', groups: ['sales'], password: 'dave-password' },
      ],
      clients: [{ clientId: CLIENT_ID, clientSecret: 'pocket-secret', authMethod: 'client_secret_basic', redirectUris: ['http://127.0.0.1:*/**'] }],
    })
    const [gatehousePort, caddyPort] = [await freePort(), await freePort()]
    base = `http://127.0.0.1:${caddyPort}`
    const gatehouse = `127.0.0.1:${gatehousePort}`
    proxy = await startFromExample(backends, {
      example: 'pocket-id',
      file: 'gatehouse.cfg',
      address: gatehouse,
      replace: {
        '127.0.0.1:4180': gatehouse,
        'https://id.example.com': backends.idp.issuer,
        '00000000-0000-0000-0000-000000000000': CLIENT_ID,
        '"change-me"': '"pocket-secret"',
        'change-me-to-32-random-bytes-base64': newCookieSecret(),
        'https://app.example.com/oauth2/callback': `${base}/oauth2/callback`,
      },
      args: ['--cookie-secure=false'],
    })
    const sites = await loadExample('pocket-id', 'Caddyfile', {
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

  it('signs a group member in (PKCE) and passes the groups from the groups scope to the app', async () => {
    const client = createClient()
    const login = await loginViaHttp(client, `${base}/wiki/start`, { login: 'bob', password: 'bob-password' })
    assert.equal(login.finalUrl, `${base}/wiki/start`)
    const authorize = login.steps.find((s) => s.location?.includes('code_challenge='))
    assert.ok(authorize !== undefined, 'the authorization request carries a PKCE challenge')
    assert.match(authorize.location ?? '', /code_challenge_method=S256/)
    assert.match(authorize.location ?? '', /scope=openid(\+|%20)email(\+|%20)profile(\+|%20)groups/)
    const res = await client.get(`${base}/wiki/start`)
    assert.equal(res.status, 200)
    assert.equal(res.json<EchoReply>().headers['x-auth-request-groups'], 'developers')
    assert.equal(res.json<EchoReply>().headers['x-auth-request-user'], 'bob')
  })

  it('refuses a user outside allowed_groups at the callback, and the app stays closed to them', async () => {
    const client = createClient()
    const login = await loginViaHttp(client, `${base}/wiki/start`, { login: 'dave', password: 'dave-password' })
    assert.equal(login.status, 403)
    const res = await client.get(`${base}/wiki/start`)
    assert.doesNotMatch(res.body, /"rawQuery"/, 'never the app')
    assert.match(res.body, /oauth2\/start/)
  })
})
