// Routes and per-route policies through the real proxy: docs/examples/policy/routes.yaml (per-group locations
// without nginx) in front of the echo app, users of the dev IdP (alice: admins + developers, bob: developers), and
// the CI cases file of the same cookbook run by `gatehouse policy test`.
import { strict as assert } from 'node:assert'
import { request as httpRequest } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { loadExample } from '../helpers/examples.js'
import type { HttpClient } from '../helpers/http.js'
import { REPO_ROOT, runGatehouse } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

/** Sends a request target byte for byte (no URL parser resolves dot segments first). */
function raw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject).end()
  })
}

describe('routes and per-route policies through the proxy (docs/examples/policy)', () => {
  let stack: Stack
  let dir: string
  let alice: HttpClient
  let bob: HttpClient
  const cookieOf = (client: HttpClient): string => client.jar.header(new URL(stack.proxy.url)) ?? ''

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-policy-'))
    stack = await startStack({ args: ['--reverse-proxy=true', '--trusted-proxy-ip=127.0.0.1', '--scope=openid email profile groups'] })
    const echo = `127.0.0.1:${stack.echo.port}`
    await writeFile(join(dir, 'routes.yaml'), await loadExample('policy', 'routes.yaml', { '127.0.0.1:8080': echo, '127.0.0.1:8081': echo }))
    await stack.restartProxy([`--alpha-config=${join(dir, 'routes.yaml')}`])
    alice = (await stack.signIn('alice')).client
    bob = (await stack.signIn('bob')).client
  })
  after(async () => {
    await stack?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves a public route without a session, and asks for one elsewhere', async () => {
    const health = await stack.client().get(`${stack.proxy.url}/healthz`)
    assert.equal(health.status, 200)
    assert.equal(health.json<EchoReply>().path, '/healthz')
    assert.equal((await stack.client().get(`${stack.proxy.url}/admin/users`, { headers: { accept: 'application/json' } })).status, 401)
  })

  it('lets each group into its routes and logs the route and rule of every refusal', async () => {
    const ok = await alice.get(`${stack.proxy.url}/admin/users`)
    assert.equal(ok.status, 200)
    assert.equal(ok.json<EchoReply>().path, '/admin/users')
    assert.equal((await bob.get(`${stack.proxy.url}/admin/users`)).status, 403)
    const line = await stack.proxy.waitForLog(/"event":"auth.denied"[^\n]*"routeId":"admin"/)
    assert.match(line, /"rule":"no-allow-matched"/)
    assert.equal((await bob.get(`${stack.proxy.url}/`)).status, 200, 'a refusal on one route keeps the session')
    assert.equal((await bob.get(`${stack.proxy.url}/reports/q3`)).status, 200)
    assert.equal((await bob.request('DELETE', `${stack.proxy.url}/reports/q3`)).status, 403)
    assert.equal((await alice.request('DELETE', `${stack.proxy.url}/reports/q3`)).status, 200)
    assert.equal((await bob.get(`${stack.proxy.url}/reports/q3`, { headers: { 'x-http-method-override': 'DELETE' } })).status, 403, 'an override the upstream may honour is decided too')
  })

  it('decides on the client IP a trusted proxy reports', async () => {
    assert.equal((await alice.get(`${stack.proxy.url}/admin/users`, { headers: { 'x-real-ip': '192.0.2.7' } })).status, 403)
    await stack.proxy.waitForLog(/"rule":"routes\[1\]\.policy\.deny\[0\] \(guest network\)"/)
  })

  it('security corpus: no spelling of a path or host reaches a route another policy guards', async () => {
    const cookie = cookieOf(bob)
    const refused: [string, number][] = [
      ['/reports/../admin/users', 403],
      ['/reports/%2e%2e/admin/users', 403],
      ['/reports/%2E%2E/admin/users', 403],
      ['/reports/./../admin/users', 403],
      ['//admin/users', 403],
      ['/%61dmin/users', 403],
      ['/admin%2Fusers', 400],
      ['/reports%2F..%2Fadmin', 400],
      ['/reports/..%5Cadmin', 400],
      ['/reports/..\\admin', 400],
      ['/admin;x/users', 400],
      ['/reports/%2e%2e%3b/admin', 400],
      ['/admin%00/users', 400],
      ['/a%zz', 400],
    ]
    for (const [path, status] of refused) assert.equal((await raw(stack.proxy.port, path, { cookie })).status, status, path)
    for (const host of ['ops.example.com', 'OPS.Example.COM', 'ops.example.com.', 'ops.example.com:4180', 'ops.example.com.:1']) {
      assert.equal((await raw(stack.proxy.port, '/', { cookie, host })).status, 403, `Host: ${host}`)
      assert.equal((await raw(stack.proxy.port, '/', { cookie, host: 'app.example.com', 'x-forwarded-host': host })).status, 403, `X-Forwarded-Host: ${host}`)
    }
    assert.equal((await raw(stack.proxy.port, '/', { cookie, host: 'ops.example.com..' })).status, 400)
    // What is let through reaches the upstream with the very path that was decided on.
    const upper = await raw(stack.proxy.port, '/ADMIN/users', { cookie })
    assert.equal(upper.status, 200)
    assert.equal((JSON.parse(upper.body) as EchoReply).path, '/ADMIN/users', 'paths are case-sensitive: /ADMIN is the app route, and the upstream sees /ADMIN')
    const dotted = await raw(stack.proxy.port, '/reports/./x/../q3?a=%2F', { cookie })
    assert.equal(dotted.status, 200)
    assert.equal((JSON.parse(dotted.body) as EchoReply).path, '/reports/q3')
    assert.equal((JSON.parse(dotted.body) as EchoReply).rawQuery, 'a=%2F')
  })

  it('gatehouse policy test runs the cookbook cases, and fails when an expectation does not hold', async () => {
    const routes = join(REPO_ROOT, 'docs/examples/policy/routes.yaml')
    const passing = await runGatehouse({ args: ['policy', 'test', routes, join(REPO_ROOT, 'docs/examples/policy/cases.yaml')] })
    assert.equal(passing.code, 0, passing.logs)
    assert.match(passing.logs, /^PASS admins reach the admin app: allow GET/m)
    assert.match(passing.logs, /^\d+ passed, 0 failed$/m)
    await writeFile(join(dir, 'wrong.yaml'), 'cases:\n  - name: bob is no admin\n    request: { url: "https://intranet.example.com/admin/" }\n    user: { groups: [developers] }\n    expect: allow\n')
    const failing = await runGatehouse({ args: ['policy', 'test', routes, join(dir, 'wrong.yaml')] })
    assert.equal(failing.code, 1)
    assert.match(failing.logs, /^FAIL bob is no admin: deny GET https:\/\/intranet\.example\.com\/admin\/ → route admin, rule no-allow-matched \(expected allow\)$/m)
    assert.match(failing.logs, /^0 passed, 1 failed$/m)
  })

  it('refuses bad routes at start, every problem with its path, and warns of shadowed routes', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      'routes:\n  - id: a\n    path: { regex: "^/(" }\n  - id: a\n    upstream: nowhere\n  - id: c\n    policy:\n      allow:\n        - claim: { values: [x] }\n  - id: d\n    providers: [github=x]\n',
    )
    const bad = await runGatehouse({ args: ['--provider=oidc', '--client-id=x', '--client-secret=y', '--cookie-secret=0123456789abcdef0123456789abcdef', '--oidc-issuer-url=http://127.0.0.1:1', '--email-domain=*', `--alpha-config=${join(dir, 'bad.yaml')}`] })
    assert.equal(bad.code, 1)
    for (const path of ['routes[0].path.regex', 'routes[1].id', 'routes[1].upstream="nowhere"', 'routes[2].policy.allow[0].claim.name', 'routes[3].providers[0]="github=x"']) {
      assert.ok(bad.logs.includes(path), `${path} in:\n${bad.logs}`)
    }
    await writeFile(join(dir, 'shadow.yaml'), 'routes:\n  - id: all\n  - id: never\n    path: { prefix: /x }\n')
    await writeFile(join(dir, 'one.yaml'), 'cases:\n  - name: x\n    request: { url: "http://a/x" }\n    user: { groups: [] }\n    expect: allow\n    route: all\n')
    const shadow = await runGatehouse({ args: ['policy', 'test', join(dir, 'shadow.yaml'), join(dir, 'one.yaml')] })
    assert.equal(shadow.code, 0, shadow.logs)
    assert.match(shadow.logs, /warning: .*shadow\.yaml: routes\[1\] \(never\) is never used: routes\[0\] \(all\) comes first/)
  })
})
