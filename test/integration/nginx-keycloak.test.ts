// docs/examples/keycloak through the real nginx: --provider=keycloak-oidc against the dev IdP shaped like a Keycloak
// realm (issuer /realms/internal, group paths in the ID token, realm and client roles only in the JWT access token),
// nginx locations restricted to a group and to a client role through /oauth2/auth?allowed_groups=..., and the
// company's logo and Go templates (custom_sign_in_logo, custom_templates_dir) on the sign-in and error pages.
import { strict as assert } from 'node:assert'
import { cp } from 'node:fs/promises'
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
import { freePort, REPO_ROOT, type Gatehouse } from '../helpers/process.js'

const USERS: DevUser[] = [
  keycloakUser('anna', ['/staff', '/admins'], ['offline_access'], { wiki: ['editor'] }),
  keycloakUser('ben', ['/staff'], ['offline_access'], { wiki: ['reader'] }),
  keycloakUser('cleo', ['/guests'], ['offline_access'], { wiki: ['editor'] }),
]

describe('Keycloak realm behind nginx with group-restricted apps and custom pages (docs/examples/keycloak)', () => {
  let backends: Backends
  let proxy: Gatehouse
  let nginx: Nginx
  let base: string
  const dispatcher = loopbackDispatcher()
  const browser = (): HttpClient => createClient({ dispatcher })

  before(async () => {
    backends = await startKeycloakBackends(USERS)
    const [gatehousePort, nginxPort] = [await freePort(), await freePort()]
    base = `http://intranet.example.com:${nginxPort}`
    const gatehouse = `127.0.0.1:${gatehousePort}`
    // The logo and templates as an operator would copy them to /etc/gatehouse/.
    await cp(join(REPO_ROOT, 'docs/examples/keycloak/templates'), join(backends.dir, 'templates'), { recursive: true })
    await cp(join(REPO_ROOT, 'docs/examples/keycloak/logo.svg'), join(backends.dir, 'logo.svg'))
    proxy = await startFromExample(backends, {
      example: 'keycloak',
      file: 'gatehouse.cfg',
      address: gatehouse,
      replace: {
        ...keycloakCfgReplacements(backends, gatehouse, base),
        '/etc/gatehouse/logo.svg': join(backends.dir, 'logo.svg'),
        '/etc/gatehouse/templates': join(backends.dir, 'templates'),
      },
      // Plain http in the test; and the dev IdP releases groups under a `groups` scope, where Keycloak's group
      // mapper puts them in the ID token without one.
      args: ['--cookie-secure=false', '--scope=openid email profile groups'],
    })
    const servers = await loadExample('keycloak', 'app.conf', keycloakNginxReplacements(nginxPort, gatehouse, backends.echoAddress))
    nginx = await startNginx({ servers, ports: [nginxPort] })
  })
  after(async () => {
    await Promise.allSettled([nginx?.stop(), proxy?.stop()])
    await backends?.close()
  })

  async function signIn(login: string, path: string): Promise<{ client: HttpClient; status: number; finalUrl: string }> {
    const client = browser()
    const result = await loginViaHttp(client, `${base}${path}`, { login, password: `${login}-password` })
    return { client, status: result.status, finalUrl: result.finalUrl }
  }

  it("shows the company's sign-in template with the inlined logo, banner and footer", async () => {
    const res = await browser().get(`${base}/reports/q3`)
    assert.equal(res.status, 403, 'no session: the sign-in page, as nginx error_page 401 =403 asks')
    assert.match(res.body, /<h1>Example Corp intranet<\/h1>/, 'the custom sign_in.html')
    assert.match(res.body, /<img[^>]+src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/, 'the logo file, inlined')
    assert.match(res.body, /Sign in with your Example Corp account/, 'the banner')
    assert.match(res.body, /Sign in with Example Corp SSO/, 'provider_display_name')
    assert.match(res.body, /Example Corp IT &middot; <a href="https:\/\/help\.example\.com">help<\/a>/, 'the footer, as HTML')
    assert.match(res.body, /name="rd" value="\/reports\/q3"/, 'back to the page asked for')
  })

  it('lets staff into the portal with their groups and roles, and back to the page asked for', async () => {
    const { client, status, finalUrl } = await signIn('ben', '/reports/q3')
    assert.equal(status, 302)
    assert.equal(finalUrl, `${base}/reports/q3`)
    const res = await client.get(`${base}/reports/q3`)
    assert.equal(res.status, 200)
    const h = res.json<EchoReply>().headers
    assert.equal(h['x-auth-request-user'], 'ben-id')
    assert.equal(h['x-auth-request-email'], 'ben@example.com')
    assert.equal(h['x-auth-request-preferred-username'], 'ben')
    assert.equal(h['x-auth-request-groups'], '/staff,role:offline_access,role:wiki:reader')
    assert.ok(typeof h['x-auth-request-access-token'] === 'string' && h['x-auth-request-access-token'].split('.').length === 3, 'the JWT access token')
  })

  it('opens /admin/ to the group /admins and /wiki/ to the role wiki:editor; others get 403, not a sign-in loop', async () => {
    const anna = (await signIn('anna', '/')).client
    const ben = (await signIn('ben', '/')).client
    for (const path of ['/admin/users', '/wiki/page']) {
      const ok = await anna.get(`${base}${path}`)
      assert.equal(ok.status, 200, `anna reaches ${path}`)
      assert.equal(ok.json<EchoReply>().headers['x-auth-request-user'], 'anna-id')
      const refused = await ben.get(`${base}${path}`)
      assert.equal(refused.status, 403, `ben is refused ${path}`)
      assert.doesNotMatch(refused.body, /oauth2\/start/, 'a refusal, not the sign-in page')
    }
    assert.equal((await ben.get(`${base}/`)).status, 200, 'ben keeps the portal')
  })

  it('refuses a user outside allowed_groups with the custom error template and a request id', async () => {
    const { status, client } = await signIn('cleo', '/')
    assert.equal(status, 403)
    const page = await client.get(`${base}/`)
    assert.notEqual(page.status, 200, 'no session was made')
    const steps = await loginViaHttp(browser(), `${base}/`, { login: 'cleo', password: 'cleo-password' })
    assert.equal(steps.status, 403)
    assert.match(steps.response.body, /<p class="code">403<\/p>/, 'the custom error.html')
    assert.match(steps.response.body, /Request ID: [A-Za-z0-9-]+/)
  })
})
