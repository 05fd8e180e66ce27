// The Keycloak example migrated to one policy file (docs/examples/keycloak/policy.yaml) behind the real nginx with a
// single auth_request for every location (app-policy.conf): gatehouse matches the original request nginx describes
// (X-Forwarded-Host/-Uri/-Method, trusted) to a route, and the group and role rules of the old per-location
// allowed_groups subrequests hold. The allowed_groups query keeps working on the same endpoint.
import { strict as assert } from 'node:assert'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { DevUser } from '../../src/dev/idp-types.js'
import { keycloakUser } from '../helpers/dev-users.js'
import { loadExample, loopbackDispatcher } from '../helpers/examples.js'
import { startFromExample, type Backends } from '../helpers/forward-auth.js'
import { keycloakCfgReplacements, keycloakNginxReplacements, startKeycloakBackends } from '../helpers/keycloak-example.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { startNginx, type Nginx } from '../helpers/nginx.js'
import { freePort, type Gatehouse } from '../helpers/process.js'

const USERS: DevUser[] = [
  keycloakUser('anna', ['/staff', '/admins'], ['offline_access'], { wiki: ['editor'] }),
  keycloakUser('ben', ['/staff'], ['offline_access'], { wiki: ['reader'] }),
]

describe('Keycloak group locations as one policy file behind nginx with one auth_request (docs/examples/keycloak)', () => {
  let backends: Backends
  let proxy: Gatehouse
  let nginx: Nginx
  let base: string
  let gatehouse: string
  const dispatcher = loopbackDispatcher()
  const browser = (): HttpClient => createClient({ dispatcher })
  const signIn = async (login: string, path = '/'): Promise<HttpClient> => {
    const client = browser()
    const result = await loginViaHttp(client, `${base}${path}`, { login, password: `${login}-password` })
    assert.equal(result.status, 302, `${login} signs in`)
    return client
  }

  before(async () => {
    backends = await startKeycloakBackends(USERS)
    const [gatehousePort, nginxPort] = [await freePort(), await freePort()]
    base = `http://intranet.example.com:${nginxPort}`
    gatehouse = `127.0.0.1:${gatehousePort}`
    const policy = join(backends.dir, 'policy.yaml')
    await writeFile(policy, await loadExample('keycloak', 'policy.yaml'))
    proxy = await startFromExample(backends, {
      example: 'keycloak',
      file: 'gatehouse.cfg',
      address: gatehouse,
      replace: {
        ...keycloakCfgReplacements(backends, gatehouse, base),
        'custom_sign_in_logo = "/etc/gatehouse/logo.svg"': '',
        'custom_templates_dir = "/etc/gatehouse/templates"': '',
      },
      args: ['--cookie-secure=false', '--scope=openid email profile groups', `--alpha-config=${policy}`],
    })
    const servers = await loadExample('keycloak', 'app-policy.conf', keycloakNginxReplacements(nginxPort, gatehouse, backends.echoAddress))
    nginx = await startNginx({ servers, ports: [nginxPort] })
  })
  after(async () => {
    await Promise.allSettled([nginx?.stop(), proxy?.stop()])
    await backends?.close()
  })

  it('opens /admin/ to /admins and /wiki/ to the role wiki:editor through the one auth_request; others get 403, not a sign-in loop', async () => {
    const anna = await signIn('anna')
    const ben = await signIn('ben')
    for (const path of ['/admin/users', '/wiki/page']) {
      const ok = await anna.get(`${base}${path}`)
      assert.equal(ok.status, 200, `anna reaches ${path}`)
      assert.equal(ok.json<EchoReply>().headers['x-auth-request-user'], 'anna-id')
      const refused = await ben.get(`${base}${path}`)
      assert.equal(refused.status, 403, `ben is refused ${path}`)
      assert.doesNotMatch(refused.body, /oauth2\/start/, 'a refusal, not the sign-in page')
    }
    assert.equal((await ben.get(`${base}/reports/q3`)).status, 200, 'ben keeps the portal')
    const denied = await proxy.waitForLog(/"event":"auth.denied"[^\n]*"routeId":"wiki"/)
    assert.match(denied, /"rule":"no-allow-matched"/)
  })

  it('without a session every location leads to the sign-in page', async () => {
    const res = await browser().get(`${base}/admin/users`)
    assert.equal(res.status, 403, 'error_page 401 =403 /oauth2/sign_in')
    assert.match(res.body, /oauth2\/start/)
  })

  it('answers the subrequest for the original host and URI nginx describes, and keeps the allowed_groups query', async () => {
    const ben = await signIn('ben')
    const cookie = ben.jar.header(new URL(base)) ?? ''
    const auth = `http://${gatehouse}/oauth2/auth`
    const direct = createClient()
    const asNginx = (uri: string, extra: Record<string, string> = {}) =>
      direct.get(auth, { headers: { cookie, 'x-forwarded-host': 'intranet.example.com', 'x-forwarded-uri': uri, 'x-forwarded-method': 'GET', ...extra }, cookies: false })
    assert.equal((await asNginx('/reports/q3')).status, 202)
    assert.equal((await asNginx('/admin/users')).status, 403)
    assert.equal((await asNginx('/reports/%2e%2e/admin/users')).status, 403, 'dot segments resolve to the admin route')
    assert.equal((await asNginx('/reports%2F..%2Fadmin')).status, 403, 'an encoded slash is refused')
    assert.equal((await asNginx('/reports/q3', { 'x-forwarded-host': 'other.example.com' })).status, 403, 'no route for another host')
    const query = await direct.get(`${auth}?allowed_groups=/admins`, { headers: { cookie, 'x-forwarded-host': 'intranet.example.com', 'x-forwarded-uri': '/reports/q3' }, cookies: false })
    assert.equal(query.status, 403, 'the allowed_groups query still narrows the route')
  })
})
