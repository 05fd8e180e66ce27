// docs/examples/backstage through the real nginx: with --set-authorization-header gatehouse answers
// `Authorization: Bearer <id_token>` on /oauth2/auth and nginx hands it to the app as X-OAUTH2-PROXY-ID-TOKEN,
// the header Backstage's oauth2Proxy provider reads (it matches /^Bearer[ ]+(\S+)$/i, see
// backstage/plugins/auth-backend-module-oauth2-proxy-provider/src/authenticator.ts), along with the profile
// headers X-Forwarded-Email/-User/-Preferred-Username. The app's own Authorization header is left alone.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { loadExample } from '../helpers/examples.js'
import { startBackends, newCookieSecret, startFromExample, type Backends } from '../helpers/forward-auth.js'
import { createClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { startNginx, type Nginx } from '../helpers/nginx.js'
import { freePort, type Gatehouse } from '../helpers/process.js'

function jwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
}

describe('Backstage behind nginx (docs/examples/backstage)', () => {
  let backends: Backends
  let proxy: Gatehouse
  let nginx: Nginx
  let base: string

  before(async () => {
    backends = await startBackends({
      clients: [{ clientId: 'backstage', clientSecret: 'backstage-secret', authMethod: 'client_secret_basic', redirectUris: ['http://127.0.0.1:*/**'] }],
    })
    const [gatehousePort, nginxPort] = [await freePort(), await freePort()]
    base = `http://127.0.0.1:${nginxPort}`
    const gatehouse = `127.0.0.1:${gatehousePort}`
    proxy = await startFromExample(backends, {
      example: 'backstage',
      file: 'gatehouse.cfg',
      address: gatehouse,
      replace: {
        '127.0.0.1:4180': gatehouse,
        'https://idp.example.com': backends.idp.issuer,
        '"change-me"': '"backstage-secret"',
        'change-me-to-32-random-bytes-base64': newCookieSecret(),
        'https://backstage.example.com/oauth2/callback': `${base}/oauth2/callback`,
      },
      args: ['--cookie-secure=false'],
    })
    const servers = await loadExample('backstage', 'app.conf', {
      'listen 80;': `listen 127.0.0.1:${nginxPort};`,
      '127.0.0.1:4180': gatehouse,
      '127.0.0.1:7007': backends.echoAddress,
    })
    nginx = await startNginx({ servers, ports: [nginxPort] })
  })
  after(async () => {
    await Promise.allSettled([nginx?.stop(), proxy?.stop()])
    await backends?.close()
  })

  it('hands the app the ID token as X-OAUTH2-PROXY-ID-TOKEN: Bearer <jwt> and the profile headers', async () => {
    const client = createClient()
    const login = await loginViaHttp(client, `${base}/catalog`, { login: 'alice', password: 'alice-password' })
    assert.equal(login.finalUrl, `${base}/catalog`)
    const res = await client.get(`${base}/api/catalog/entities`, {
      headers: { Authorization: 'Bearer backstage-own-token', 'X-OAUTH2-PROXY-ID-TOKEN': 'Bearer forged', 'X-Forwarded-Email': 'mallory@evil.example' },
    })
    assert.equal(res.status, 200)
    const h = res.json<EchoReply>().headers
    const header = h['x-oauth2-proxy-id-token']
    assert.ok(typeof header === 'string')
    const jwt = /^Bearer[ ]+(\S+)$/i.exec(header)?.[1]
    assert.ok(jwt !== undefined && jwt !== 'forged', 'the Bearer form Backstage parses')
    const claims = jwtPayload(jwt)
    assert.equal(claims.iss, backends.idp.issuer)
    assert.equal(claims.sub, 'alice')
    assert.equal(claims.aud, 'backstage')
    assert.equal(h['x-forwarded-email'], 'alice@example.com')
    assert.equal(h['x-forwarded-user'], 'alice')
    assert.equal(h['x-forwarded-preferred-username'], 'alice')
    assert.equal(h.authorization, 'Bearer backstage-own-token', "Backstage's own Authorization header passes untouched")
  })

  it('never lets a visitor without a session reach the app with a forged token header', async () => {
    const res = await createClient().get(`${base}/api/catalog/entities`, { headers: { 'X-OAUTH2-PROXY-ID-TOKEN': 'Bearer forged' } })
    assert.equal(res.status, 403)
    assert.doesNotMatch(res.body, /forged/)
  })
})
