// docs/examples/entra-id through the real nginx, with TLS: one gatehouse per domain from its per-domain cfg file,
// --provider=entra-id against the dev IdP shaped like an Entra tenant (issuer /<tenant>/v2.0, `tid`, group object
// IDs, group overage answered by the Microsoft Graph stand-in), the identity passed to the app as X-Forwarded-*,
// X-Forwarded-Access-Token and Authorization: Bearer <ID token>, request logging and the metrics listener.
import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { lookup as dnsLookup } from 'node:dns'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { Agent, request } from 'undici'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { DevUser } from '../../src/dev/idp-types.js'
import { devUser } from '../helpers/dev-users.js'
import { loadExample } from '../helpers/examples.js'
import { newCookieSecret, startBackends, startFromExample, type Backends } from '../helpers/forward-auth.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { startGraphStandIn, type GraphStandIn } from '../helpers/ms-graph.js'
import { startNginx, type Nginx } from '../helpers/nginx.js'
import { freePort, type Gatehouse } from '../helpers/process.js'

const TENANT = '00000000-0000-0000-0000-000000000000'
const CLIENT_ID = '11111111-1111-1111-1111-111111111111'
const REPORTS_GROUP = '22222222-2222-2222-2222-222222222222'
const OTHER_GROUP = '33333333-3333-3333-3333-333333333333'

function entraUser(name: string, email: string, groups: string[], extra: Record<string, unknown> = {}): DevUser {
  return devUser(name, { sub: `${name}-oid`, email, preferredUsername: email, groups, extraClaims: { tid: TENANT, ...extra } })
}

const USERS: DevUser[] = [
  entraUser('megan', 'megan@contoso.com', [REPORTS_GROUP, OTHER_GROUP]),
  entraUser('adele', 'adele@contoso.com', [OTHER_GROUP]),
  entraUser('guest', 'guest@fabrikam.com', [REPORTS_GROUP]),
  // More groups than a token carries: Entra leaves `groups` out and points at a claim source instead.
  entraUser('olaf', 'olaf@contoso.com', [], {
    _claim_names: { groups: 'src1' },
    _claim_sources: { src1: { endpoint: `https://graph.windows.net/${TENANT}/users/olaf-oid/getMemberObjects` } },
  }),
]

function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
}

describe('Microsoft Entra ID, one gatehouse per domain behind nginx with TLS (docs/examples/entra-id)', () => {
  let backends: Backends
  let graph: GraphStandIn
  let proxy: Gatehouse
  let nginx: Nginx
  let base: string
  let metricsUrl: string
  let dispatcher: Agent

  before(async () => {
    backends = await startBackends({
      issuerPath: `/${TENANT}/v2.0`,
      users: USERS,
      clients: [{ clientId: CLIENT_ID, clientSecret: 'reports-secret', authMethod: 'client_secret_post', redirectUris: ['https://reports.contoso.com:*/**'] }],
    })
    graph = await startGraphStandIn({ userinfoUrl: () => `${backends.idp.issuer}/me`, groupsBySub: { 'olaf-oid': [OTHER_GROUP, REPORTS_GROUP] } })
    const [gatehousePort, metricsPort, nginxPort] = [await freePort(), await freePort(), await freePort()]
    const [cert, key] = [join(backends.dir, 'cert.pem'), join(backends.dir, 'key.pem')]
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=reports.contoso.com', '-addext', 'subjectAltName=DNS:reports.contoso.com', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' })
    const ca = await readFile(cert)
    dispatcher = new Agent({
      connect: { ca, lookup: (_h: string, opts: object, cb: (...args: never[]) => void) => dnsLookup('127.0.0.1', opts, cb as never) } as never,
    })
    base = `https://reports.contoso.com:${nginxPort}`
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    const gatehouse = `127.0.0.1:${gatehousePort}`
    proxy = await startFromExample(backends, {
      example: 'entra-id',
      file: 'reports.contoso.com.cfg',
      address: gatehouse,
      replace: {
        '127.0.0.1:4180': gatehouse,
        '127.0.0.1:44180': `127.0.0.1:${metricsPort}`,
        [`https://login.microsoftonline.com/${TENANT}/v2.0`]: backends.idp.issuer,
        '"change-me"': '"reports-secret"',
        'change-me-to-32-random-bytes-base64': newCookieSecret(),
        'https://reports.contoso.com/oauth2/callback': `${base}/oauth2/callback`,
        'http://127.0.0.1:3000/': `http://${backends.echoAddress}/`,
      },
      // The dev IdP releases `groups` under a scope of that name; Entra puts them in the ID token from the app
      // registration's token configuration instead, so the cfg's scope has none.
      args: ['--scope=openid email profile offline_access groups'],
      env: { GATEHOUSE_TEST_MS_GRAPH_URL: graph.url },
    })
    const servers = await loadExample('entra-id', 'reports.conf', {
      'listen 443 ssl;': `listen 127.0.0.1:${nginxPort} ssl;`,
      '/etc/ssl/certs/reports.contoso.com.pem': cert,
      '/etc/ssl/private/reports.contoso.com.key': key,
      '127.0.0.1:4180': gatehouse,
    })
    nginx = await startNginx({ servers, ports: [nginxPort] })
  })
  after(async () => {
    await Promise.allSettled([nginx?.stop(), proxy?.stop(), graph?.close()])
    await backends?.close()
    await dispatcher?.close()
  })

  async function signIn(login: string, path = '/d/home'): Promise<{ client: HttpClient; status: number; finalUrl: string }> {
    const client = createClient({ dispatcher })
    const user = USERS.find((u) => u.name === login)
    assert.ok(user !== undefined)
    const result = await loginViaHttp(client, `${base}${path}`, { login: user.email, password: user.password })
    return { client, status: result.status, finalUrl: result.finalUrl }
  }

  it('signs a member of the allowed group in straight at Entra and hands the app the identity and both tokens', async () => {
    const { client, status, finalUrl } = await signIn('megan')
    assert.equal(status, 302)
    assert.equal(finalUrl, `${base}/d/home`, 'back on the page asked for (skip_provider_button: no sign-in page)')
    const session = client.jar.cookie(base, '_oauth2_proxy')
    assert.ok(session?.secure, 'the session cookie is Secure behind TLS')

    const res = await client.get(`${base}/api/dashboards`, { headers: { 'X-Forwarded-Email': 'admin@contoso.com', Authorization: 'Bearer forged' } })
    assert.equal(res.status, 200)
    const h = res.json<EchoReply>().headers
    assert.equal(h['x-forwarded-email'], 'megan@contoso.com', "the client's copy is replaced")
    assert.equal(h['x-forwarded-user'], 'megan-oid')
    assert.equal(h['x-forwarded-groups'], `${REPORTS_GROUP},${OTHER_GROUP}`)
    assert.ok(typeof h['x-forwarded-access-token'] === 'string' && h['x-forwarded-access-token'].length > 10, 'pass_access_token')
    const bearer = /^Bearer (\S+)$/.exec(String(h.authorization))?.[1]
    assert.ok(bearer !== undefined && bearer !== 'forged', 'pass_authorization_header: the ID token')
    const claims = jwtPayload(bearer)
    assert.equal(claims.iss, backends.idp.issuer)
    assert.equal(claims.tid, TENANT)
    assert.equal(claims.aud, CLIENT_ID)
    assert.equal(res.header('x-auth-request-email'), 'megan@contoso.com', 'set_xauthrequest on the answer')
    assert.equal(h['x-forwarded-proto'], 'https', 'nginx said https, and it is trusted')
  })

  it('reads the groups of a user with too many for the token from Microsoft Graph', async () => {
    const { client, status } = await signIn('olaf')
    assert.equal(status, 302)
    const res = await client.get(`${base}/api/search`)
    assert.equal(res.status, 200)
    assert.equal(res.json<EchoReply>().headers['x-forwarded-groups'], `${OTHER_GROUP},${REPORTS_GROUP}`)
    assert.ok(graph.requests.some((r) => r.pathAndQuery.startsWith('/v1.0/me/transitiveMemberOf') && r.authorized))
  })

  it('refuses a user outside allowed_groups and one outside email_domains with 403, never a loop', async () => {
    for (const login of ['adele', 'guest']) {
      const { client, status } = await signIn(login)
      assert.equal(status, 403, `${login} is refused at the callback`)
      const again = await client.get(`${base}/d/home`)
      assert.notEqual(again.status, 200, `${login} has no session`)
    }
  })

  it('logs one request line per proxied request and counts it on the metrics listener', async () => {
    const { client } = await signIn('megan')
    const res = await client.get(`${base}/api/health-of-the-app?x=1`)
    assert.equal(res.status, 200)
    // The access log line is written once the response has gone out, so it may trail the client's read.
    await proxy.waitForLog('"uri":"/api/health-of-the-app?x=1"')
    const lines = proxy.logs().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
    const line = lines.find((l) => l.event === 'http.request' && l.uri === '/api/health-of-the-app?x=1')
    assert.ok(line !== undefined, 'request_logging writes the proxied request')
    assert.equal(line.user, 'megan@contoso.com')
    assert.equal(line.status, 200)

    const scrape = await request(metricsUrl)
    assert.equal(scrape.statusCode, 200)
    const families = parsePrometheusTextFormat(await scrape.body.text())
    const total = families.find((f) => f.name === 'oauth2_proxy_requests_total')
    assert.ok(total !== undefined, 'oauth2-proxy metric names')
    const ok = total.metrics.filter((m) => 'labels' in m && m.labels?.code === '200').reduce((n, m) => n + Number('value' in m ? m.value : 0), 0)
    assert.ok(ok >= 1, 'the proxied 200s are counted')
  })
})
