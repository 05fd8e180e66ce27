// Path and method tricks against --skip-auth-route, --api-route and group-restricted /oauth2/auth checks, through the
// real process with raw sockets (the request target goes out byte for byte). The rule: the path that decides is the
// path that is proxied, so a trick either gets no further than gatehouse or reaches the echo upstream with a path the
// rule allows under every reading. Classes (reference §7, peers §4b): CVE-2019-9901 (dot segments),
// heimdall GHSA-3q34-rx83-r6mq (%2e%2e, %2f), GHSA-7rh7-c77v-6434 (query in the match), GHSA-pxq7-h93f-9jrg
// (fragment), CVE-2020-14359 (lower-case methods), CVE-2026-40575 (X-Forwarded-Uri), method override headers.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { startStack, type Stack } from '../helpers/stack.js'
import { echoed, head, rawRequest, type RawReply } from './raw-http.js'

let stack: Stack
let port: number

before(async () => {
  stack = await startStack({
    args: [
      '--skip-auth-route=GET=^/public/',
      '--skip-auth-route=^/health$',
      '--skip-auth-route=^/v1/[^/]+/status$',
      '--skip-auth-route=^/foo/.*/bar$',
      '--api-route=^/api/',
      '--reverse-proxy',
      '--trusted-proxy-ip=127.0.0.1',
      // The dev IdP releases the groups claim for this scope only.
      '--scope=openid email profile groups',
    ],
  })
  port = stack.proxy.port
})
after(() => stack.close())

const JSON_ACCEPT = 'Accept: application/json'

function get(target: string, headers: string[] = [], method = 'GET'): Promise<RawReply> {
  return rawRequest(port, head(`${method} ${target}`, headers))
}

/** The trick never reached the upstream: gatehouse answered 400, 401, 403 or 404 itself. */
async function assertStopped(target: string, headers: string[] = [JSON_ACCEPT], method = 'GET'): Promise<void> {
  const reply = await get(target, headers, method)
  assert.equal(echoed(reply), undefined, `${method} ${target} reached the upstream: ${reply.text.slice(0, 300)}`)
  assert.ok([400, 401, 403, 404].includes(reply.statuses[0] ?? 0), `${method} ${target}: ${reply.text.slice(0, 200)}`)
}

/** Controls: the rules do let these through, and the upstream sees the path that decided. */
async function assertProxied(target: string, path: string, headers: string[] = [JSON_ACCEPT], method = 'GET'): Promise<void> {
  const reply = await get(target, headers, method)
  const echo = echoed(reply)
  assert.ok(echo !== undefined, `${method} ${target} should be proxied: ${reply.text.slice(0, 300)}`)
  assert.equal(echo.path, path)
}

describe('--skip-auth-route: dot segments, encoded slashes and backslashes (CVE-2019-9901, GHSA-3q34-rx83-r6mq)', () => {
  it('controls: /public/page and /health?probe=1 are proxied as sent', async () => {
    await assertProxied('/public/page', '/public/page')
    await assertProxied('/public/a%20b', '/public/a%20b')
    await assertProxied('/health?probe=1', '/health')
    await assertProxied('/v1/app/status', '/v1/app/status')
  })

  const escapes = [
    '/public/../private',
    '/public/./../private',
    '/public/%2e%2e/private',
    '/public/%2E%2E/private',
    '/public/.%2e/private',
    '/public/%2e./private',
    '/public/..%2fprivate',
    '/public/..%2Fprivate',
    '/public%2f..%2fprivate',
    '/public/..;/private',
    '/public/..;jsessionid=1/private',
    '/public/..\\private',
    '/public/%5c..%5cprivate',
    '/public/..%5cprivate',
    '/public/x/../../private',
    '/public/..',
    '/public/%2e%2e',
    '/public/..%00',
    '/public/..%00/private',
  ]
  for (const target of escapes) {
    it(`${target} does not reach the upstream without a session`, () => assertStopped(target))
  }

  it('an absolute-form target is not proxied to a path the rule did not see', async () => {
    await assertStopped('http://evil.example/private')
    const reply = await get('http://evil.example/public/page', [JSON_ACCEPT])
    const echo = echoed(reply)
    if (echo !== undefined) assert.match(echo.path, /\/public\/page$/)
  })
})

describe('--skip-auth-route: ;params, //, query and fragment (GHSA-7rh7-c77v-6434, GHSA-pxq7-h93f-9jrg)', () => {
  for (const target of ['/health;x=1', '/health/', '//health', '/health/.', '/health%3Fx', '/health%23x', '/health#x', '/health%2f', '/HEALTH']) {
    it(`^/health$ does not match ${target}`, () => assertStopped(target))
  }

  it('the query is not part of the match: /v1/private/secret?x=/v1/a/status needs a session (GHSA-7rh7-c77v-6434)', async () => {
    await assertStopped('/v1/private/secret?x=/v1/a/status')
    await assertStopped('/v1/private/secret?/v1/a/status')
    await assertStopped('/v1/a/b/status')
  })

  it('a fragment, raw or %23, does not widen ^/foo/.*/bar$ (GHSA-pxq7-h93f-9jrg)', async () => {
    await assertStopped('/foo/secret#/bar')
    await assertStopped('/foo/secret%23/bar')
    await assertStopped('/foo/secret%3F/bar')
    await assertStopped('/foo/secret?x=/bar')
    await assertProxied('/foo/x/bar', '/foo/x/bar')
  })
})

describe('methods (CVE-2020-14359) and method override headers', () => {
  it('a method the rule does not name needs a session', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) await assertStopped('/public/page', [JSON_ACCEPT], method)
  })

  it('lower- and mixed-case methods are refused, never served as GET', async () => {
    for (const method of ['get', 'GeT', 'post', 'delete']) await assertStopped('/public/page', [JSON_ACCEPT], method)
  })

  it('X-HTTP-Method-Override, X-HTTP-Method and X-Method-Override naming another method need a session', async () => {
    for (const h of ['X-HTTP-Method-Override: DELETE', 'X-HTTP-Method: PUT', 'X-Method-Override: post', 'x-http-method-override: GET, DELETE']) {
      await assertStopped('/public/page', [JSON_ACCEPT, h])
    }
    await assertProxied('/public/page', '/public/page', [JSON_ACCEPT, 'X-HTTP-Method-Override: GET'])
  })
})

describe('--api-route: tricks get the API answer and never the upstream', () => {
  it('/api/ paths without a session are a JSON 401 even for a browser', async () => {
    for (const target of ['/api/x', '/api/x?y=1', '/api/../api/x', '/api/%2e%2e/x', '/api;x/y', '/api//x']) {
      const reply = await get(target, ['Accept: text/html'])
      assert.equal(echoed(reply), undefined, target)
      assert.ok([401, 403].includes(reply.statuses[0] ?? 0), `${target}: ${reply.text.slice(0, 120)}`)
    }
    const reply = await get('/api/x', ['Accept: text/html'])
    assert.equal(reply.statuses[0], 401)
  })

  it('look-alikes of /api/ are not proxied either', async () => {
    for (const target of ['/API/x', '/%61pi/x', '/x?/api/', '/x#/api/']) await assertStopped(target, ['Accept: text/html'])
  })
})

describe('/oauth2/auth behind a trusted reverse proxy: X-Forwarded-Uri and -Method decide, with the same rules', () => {
  async function auth(uri: string, extra: string[] = [], query = '', cookie = ''): Promise<number> {
    const headers = [`X-Forwarded-Uri: ${uri}`, 'X-Forwarded-Method: GET', ...extra, ...(cookie === '' ? [] : [`Cookie: ${cookie}`])]
    const reply = await get(`/oauth2/auth${query}`, headers)
    return reply.statuses[0] ?? 0
  }

  it('the skip-auth route answers 202 for its own paths only', async () => {
    assert.equal(await auth('/public/page'), 202)
    for (const uri of ['/public/../private', '/public/%2e%2e/private', '/public/..;/private', '/public/..%2fprivate', '/health#x', '/health;x', '/v1/p/secret?x=/v1/a/status']) {
      assert.equal(await auth(uri), 401, uri)
    }
  })

  it('a malformed X-Forwarded-Uri never gets a 202 (Authelia CVE-2021-32637)', async () => {
    for (const uri of ['%zz', '/%zz', '/%', '/%c0%af', '*', 'public/page', 'http://[', '/public/%zz/../../private', '']) assert.equal(await auth(uri), 401, JSON.stringify(uri))
  })

  it('X-Forwarded-Method in lower case or an override header does not widen a GET rule', async () => {
    const reply = await get('/oauth2/auth', ['X-Forwarded-Uri: /public/page', 'X-Forwarded-Method: post'])
    assert.equal(reply.statuses[0], 401)
    assert.equal(await auth('/public/page', ['X-HTTP-Method-Override: DELETE']), 401)
  })

  it('group restriction (?allowed_groups=admins): bob is refused on every path, alice is let in', async () => {
    const cookieOf = async (login: string): Promise<string> => {
      const { client } = await stack.signIn(login)
      return client.jar.header(stack.proxy.url) ?? ''
    }
    const bob = await cookieOf('bob')
    const alice = await cookieOf('alice')
    for (const uri of ['/admin', '/public/page', '/public/../admin', '/health', '/health#x']) {
      assert.equal(await auth(uri, [], '?allowed_groups=admins', bob), 403, `bob ${uri}`)
      assert.equal(await auth(uri, [], '?allowed_groups=admins', alice), 202, `alice ${uri}`)
    }
  })
})
