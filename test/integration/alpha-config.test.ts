// An oauth2-proxy alpha configuration through the real process: the structure of oauth2-proxy's documented
// example (upstreams with per-upstream options, rewriteTarget, a static upstream, claimSource and secretSource
// headers, server.bindAddress, one provider with loginURLParameters), written for the dev IdP and the echo app.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { startDevIdp, type DevIdp } from '../../src/dev/idp.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, runGatehouse, startGatehouse, type Gatehouse } from '../helpers/process.js'

describe('--alpha-config through the real proxy', () => {
  let idp: DevIdp
  let echo: EchoApp
  let proxy: Gatehouse
  let url: string
  let alice: HttpClient
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-alpha-it-'))
  const cookieSecret = randomBytes(32).toString('base64url')

  before(async () => {
    let port: number
    ;[idp, echo, port] = await Promise.all([startDevIdp(), startEchoApp(), freePort()])
    url = `http://127.0.0.1:${port}`
    writeFileSync(join(dir, 'api-key'), 'from-a-file')
    writeFileSync(
      join(dir, 'alpha.yaml'),
      `upstreamConfig:
  upstreams:
    - id: app
      path: /
      uri: \${ECHO_URL}
    - id: fixed-host
      path: /fixed-host
      uri: \${ECHO_URL}
      passHostHeader: false
    - id: impatient
      path: /slow
      uri: \${ECHO_URL}
      timeout: 300ms
    - id: rewritten
      path: ^/api/v1/(.*)$
      rewriteTarget: /v2/$1?from=rewrite
      uri: \${ECHO_URL}
    - id: health
      path: /healthz
      static: true
      staticCode: 204
injectRequestHeaders:
  - name: X-Forwarded-User
    values:
      - claimSource:
          claim: user
  - name: X-Forwarded-Groups
    values:
      - claimSource:
          claim: groups
  - name: X-Id-Token
    values:
      - claimSource:
          claim: id_token
          prefix: "Bearer "
  - name: X-Api-Key
    values:
      - secretSource:
          fromFile: ${join(dir, 'api-key')}
      - secretSource:
          fromEnv: SECOND_KEY
  - name: Authorization
    values:
      - claimSource:
          claim: email
          basicAuthPassword:
            value: c3VwZXItc2VjcmV0
  - name: X-Name
    values:
      - claimSource:
          claim: name
          prefix: "name="
injectResponseHeaders:
  - name: X-Auth-Request-Email
    values:
      - claimSource:
          claim: email
  - name: X-Static
    values:
      - secretSource:
          value: literal
server:
  bindAddress: 127.0.0.1:${port}
providers:
  - id: dev-idp
    provider: oidc
    name: Dev IdP
    clientID: gatehouse
    clientSecret: \${IDP_SECRET}
    scope: openid email profile groups
    oidcConfig:
      issuerURL: ${idp.issuer}
      emailClaim: email
    additionalClaims: [name, email_verified]
    loginURLParameters:
      - name: prompt
        default: [login]
        allow: [{ value: consent }]
      - name: login_hint
        allow: [{ pattern: '^[^@]*@example\\.com$' }]
      - name: ui_locales
        default: [en]
`,
    )
    proxy = await startGatehouse({
      args: [
        `--alpha-config=${join(dir, 'alpha.yaml')}`,
        `--cookie-secret=${cookieSecret}`,
        '--cookie-secure=false',
        '--email-domain=*',
        `--redirect-url=${url}/oauth2/callback`,
        '--skip-jwt-bearer-tokens',
      ],
      // The helper reads the address from OAUTH2_PROXY_HTTP_ADDRESS; with an alpha file that variable is ignored.
      env: { ECHO_URL: echo.url, IDP_SECRET: 'gatehouse-secret', SECOND_KEY: 'from-env', OAUTH2_PROXY_HTTP_ADDRESS: `127.0.0.1:${port}` },
    })
    assert.equal(proxy.url, url)
    alice = createClient()
    const login = await loginViaHttp(alice, `${url}/`, { login: 'alice', password: 'alice-password' })
    assert.equal(login.status, 302, login.finalUrl)
  })
  after(async () => {
    await Promise.allSettled([proxy?.stop(), idp?.close(), echo?.close()])
  })

  it('sends claimSource and secretSource headers upstream and strips the client copies', async () => {
    const res = await alice.get(`${url}/h`, { headers: { accept: 'application/json', 'X-Forwarded-User': 'mallory', X_Api_Key: 'stolen' } })
    assert.equal(res.status, 200, res.body)
    const seen = res.json<EchoReply>()
    assert.equal(seen.headers['x-forwarded-user'], 'alice')
    assert.equal(seen.headers['x-forwarded-groups'], 'admins,developers')
    // additionalClaims: read at sign-in, kept in the session, readable by claimSource.
    assert.equal(seen.headers['x-name'], 'name=Alice Example')
    assert.match(String(seen.headers['x-id-token']), /^Bearer ey/)
    assert.equal(seen.headers['x-api-key'], 'from-a-file,from-env')
    assert.ok(!seen.rawHeaders.some(([n]) => n === 'X_Api_Key'))
    // basicAuthPassword.value is used literally (oauth2-proxy's loader does not base64-decode it).
    assert.equal(seen.headers.authorization, `Basic ${Buffer.from('alice@example.com:c3VwZXItc2VjcmV0').toString('base64')}`)
    assert.equal(seen.headers.host, new URL(url).host)
    assert.equal(res.header('x-auth-request-email'), 'alice@example.com')
    assert.equal(res.header('x-static'), 'literal')
    const auth = await alice.get(`${url}/oauth2/auth`)
    assert.equal(auth.status, 202)
    assert.equal(auth.header('x-auth-request-email'), 'alice@example.com')
  })

  it('applies passHostHeader and timeout per upstream', async () => {
    const fixed = await alice.get(`${url}/fixed-host`, { headers: { accept: 'application/json' } })
    assert.equal(fixed.status, 200, fixed.body)
    assert.equal(fixed.json<EchoReply>().headers.host, new URL(echo.url).host)
    const slow = await alice.get(`${url}/slow?ms=5000`, { headers: { accept: 'application/json' } })
    assert.equal(slow.status, 504)
    const patient = await alice.get(`${url}/other/slow?ms=10`, { headers: { accept: 'application/json' } })
    assert.equal(patient.status, 200)
  })

  it('rewrites the path of a rewriteTarget upstream and merges the query, keys sorted', async () => {
    const res = await alice.get(`${url}/api/v1/items/7?z=1&a=2`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 200, res.body)
    const seen = res.json<EchoReply>()
    assert.equal(seen.path, '/v2/items/7')
    assert.equal(seen.rawQuery, 'a=2&from=rewrite&z=1')
  })

  it('answers a static upstream with its code', async () => {
    const res = await alice.get(`${url}/healthz`)
    assert.equal(res.status, 204)
  })

  it('sends the loginURLParameters defaults to the IdP and uses the provider name', async () => {
    const res = await createClient().get(`${url}/oauth2/start?rd=/&ui_locales=fr&organization=x`)
    assert.equal(res.status, 302)
    const location = new URL(res.header('location') ?? '')
    assert.equal(location.searchParams.get('prompt'), 'login')
    assert.equal(location.searchParams.get('ui_locales'), 'en')
    assert.equal(location.searchParams.get('login_hint'), null)
    assert.equal(location.searchParams.get('organization'), null)
    assert.equal(location.searchParams.get('approval_prompt'), null)
    const page = await createClient().get(`${url}/`, { headers: { accept: 'text/html' } })
    assert.match(page.body, /Sign in with Dev IdP/)
  })

  it('lets /oauth2/start override a default only with a value its allow rules accept', async () => {
    const allowed = new URL((await createClient().get(`${url}/oauth2/start?rd=/&prompt=consent&login_hint=bob@example.com`)).header('location') ?? '')
    assert.deepEqual(allowed.searchParams.getAll('prompt'), ['consent'])
    assert.deepEqual(allowed.searchParams.getAll('login_hint'), ['bob@example.com'])
    const refused = new URL((await createClient().get(`${url}/oauth2/start?rd=/&prompt=none&login_hint=bob@evil.com`)).header('location') ?? '')
    assert.deepEqual(refused.searchParams.getAll('prompt'), ['login'])
    assert.deepEqual(refused.searchParams.getAll('login_hint'), [])
  })

  it('reads the additionalClaims of a bearer JWT too, as oauth2-proxy\'s session from a token does', async () => {
    const token = await idp.signJwt({ aud: 'gatehouse', sub: 'svc-7', email: 'svc-7@example.com', email_verified: true, name: 'Build Robot' })
    const res = await createClient().get(`${url}/h`, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } })
    assert.equal(res.status, 200, res.body)
    const seen = res.json<EchoReply>()
    assert.equal(seen.headers['x-forwarded-user'], 'svc-7')
    assert.equal(seen.headers['x-name'], 'name=Build Robot')
  })

  it('returns the additionalClaims from /oauth2/userinfo', async () => {
    const res = await alice.get(`${url}/oauth2/userinfo`)
    assert.equal(res.status, 200, res.body)
    assert.deepEqual(res.json<{ additionalClaims?: unknown }>().additionalClaims, { name: 'Alice Example', email_verified: true })
  })

  it('--convert-config-to-alpha prints legacy options as alpha YAML', async () => {
    const run = await runGatehouse({ args: ['--convert-config-to-alpha', `--cookie-secret=${cookieSecret}`, '--email-domain=*', '--provider=oidc', `--oidc-issuer-url=${idp.issuer}`, '--client-id=c', '--client-secret=s', `--upstream=${echo.url}/`, '--set-xauthrequest'] })
    assert.equal(run.code, 0, run.logs)
    assert.match(run.logs, /upstreamConfig:\n {2}proxyRawPath: false\n {2}upstreams:\n/)
    assert.match(run.logs, /name: X-Auth-Request-User/)
    assert.match(run.logs, /bindAddress: 127\.0\.0\.1:4180/)
  })
})
