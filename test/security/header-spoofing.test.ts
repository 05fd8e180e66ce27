// Client-sent copies of every identity header gatehouse may write, in every case and with `_` for `-`, through the
// real process: the echo upstream must only ever see gatehouse's values (signed in) or none at all (a skip-auth route
// without a session), and /oauth2/auth must not reflect them. Header names are sent byte for byte with node:http
// (test/helpers/echo.ts send()), so nothing normalises them on the way. Classes: CVE-2025-64484 (underscore
// variants), reference §5.5; issue 8 "Header spoofing".
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { normalizeHeaderName } from '../../src/headers/inject.js'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { headerValues, send, type RawResponse } from '../helpers/echo.js'
import { startStack, type Stack } from '../helpers/stack.js'

/** Every request header gatehouse may inject or answer with (reference §5.2, §5.3). */
const IDENTITY = [
  'X-Forwarded-User',
  'X-Forwarded-Email',
  'X-Forwarded-Groups',
  'X-Forwarded-Preferred-Username',
  'X-Forwarded-Access-Token',
  'X-Auth-Request-User',
  'X-Auth-Request-Email',
  'X-Auth-Request-Groups',
  'X-Auth-Request-Preferred-Username',
  'X-Auth-Request-Access-Token',
  'Authorization',
  'GAP-Auth',
]
const IDENTITY_NORMALIZED = new Set(IDENTITY.map((h) => h.toLowerCase()))
const MARK = 'spoofed'

/** The spellings a client may use for one header name. */
const VARIANTS: Record<string, (name: string) => string> = {
  Mixed: (n) => n,
  lower: (n) => n.toLowerCase(),
  UPPER: (n) => n.toUpperCase(),
  aLtErNaTiNg: (n) => [...n].map((c, i) => (i % 2 === 0 ? c.toLowerCase() : c.toUpperCase())).join(''),
  Under_Score: (n) => n.replaceAll('-', '_'),
  under_lower: (n) => n.toLowerCase().replaceAll('-', '_'),
  UNDER_UPPER: (n) => n.toUpperCase().replaceAll('-', '_'),
  'Half_Way': (n) => n.replace('-', '_'),
}

let stack: Stack
let url: string
let cookie: string
/** Identity headers the echo app sees for alice without any spoofing: normalised name → values. */
let baseline: Map<string, string[]>

/** Spoofed copies of every identity header under one spelling. */
function spoofed(variant: (name: string) => string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of IDENTITY) out[variant(name)] = name === 'Authorization' ? `Bearer ${MARK}-token` : `${MARK}-${name.toLowerCase()}@evil.test`
  return out
}

/** Every spelling at once: one request carrying the same header many times. */
function allVariants(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const variant of Object.values(VARIANTS)) Object.assign(out, spoofed(variant))
  return out
}

/** Identity headers (by normalised name) among the raw headers the echo app received. */
function identityHeaders(reply: EchoReply): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [name, value] of reply.rawHeaders) {
    const key = normalizeHeaderName(name)
    if (!IDENTITY_NORMALIZED.has(key)) continue
    out.set(key, [...(out.get(key) ?? []), value])
  }
  return out
}

function echoed(res: RawResponse, what: string): EchoReply {
  assert.equal(res.status, 200, `${what}: ${res.text.slice(0, 200)}`)
  return res.json<EchoReply>()
}

function assertNoSpoof(reply: EchoReply, what: string): void {
  const leaked = reply.rawHeaders.filter(([, value]) => value.includes(MARK))
  assert.deepEqual(leaked, [], `${what}: the upstream saw client values`)
}

before(async () => {
  stack = await startStack({
    args: ['--scope=openid email profile groups', '--pass-access-token', '--pass-authorization-header', '--set-xauthrequest', '--skip-auth-route=^/public', '--trusted-ip=10.9.8.7'],
  })
  url = stack.proxy.url
  const { client, result } = await stack.signIn('alice', '/')
  assert.equal(result.status, 302)
  const value = client.jar.get(url, '_oauth2_proxy')
  assert.ok(value !== undefined)
  cookie = `_oauth2_proxy=${value}`
  baseline = identityHeaders(echoed(await send(url, '/private', { headers: { Cookie: cookie } }), 'baseline'))
  // What gatehouse writes for alice with these flags; every spoofing test compares against exactly this.
  assert.deepEqual([...baseline.keys()].sort(), ['authorization', 'x-forwarded-access-token', 'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-preferred-username', 'x-forwarded-user'])
  assert.deepEqual(baseline.get('x-forwarded-email'), ['alice@example.com'])
  assert.deepEqual(baseline.get('x-forwarded-groups'), ['admins,developers'])
  assert.match(baseline.get('authorization')?.[0] ?? '', /^Bearer ey/)
})

after(async () => {
  await stack?.close()
})

describe('a signed-in request: the upstream sees only gatehouse\'s identity headers', () => {
  for (const [label, variant] of Object.entries(VARIANTS)) {
    it(`spoofed as ${variant('X-Forwarded-User')} (${label})`, async () => {
      const reply = echoed(await send(url, '/private', { headers: { Cookie: cookie, ...spoofed(variant) } }), label)
      assertNoSpoof(reply, label)
      assert.deepEqual(identityHeaders(reply), baseline, label)
    })
  }

  it('every spelling at once (each header many times over)', async () => {
    const headers = allVariants()
    assert.ok(Object.keys(headers).length >= IDENTITY.length * 7)
    const reply = echoed(await send(url, '/private', { headers: { Cookie: cookie, ...headers } }), 'all')
    assertNoSpoof(reply, 'all')
    assert.deepEqual(identityHeaders(reply), baseline)
  })

  it('comma-joined and repeated values of one header', async () => {
    const headers = { 'X-Forwarded-Email': [`${MARK}@evil.test`, 'alice@example.com'], 'x-forwarded-groups': `admins, ${MARK}` }
    const reply = echoed(await send(url, '/private', { headers: { Cookie: cookie, ...headers } }), 'repeated')
    assertNoSpoof(reply, 'repeated')
    assert.deepEqual(identityHeaders(reply), baseline)
  })

  it('the proxied response carries gatehouse\'s X-Auth-Request-* and GAP-Auth, not the client\'s', async () => {
    const res = await send(url, '/private', { headers: { Cookie: cookie, ...allVariants() } })
    assert.equal(res.status, 200)
    assert.deepEqual(headerValues(res, 'gap-auth'), ['alice@example.com'])
    assert.deepEqual(headerValues(res, 'x-auth-request-email'), ['alice@example.com'])
    assert.ok(!res.rawHeaders.some((v) => v.includes(MARK)), 'no client value in the response headers')
  })
})

describe('a skip-auth request without a session: the upstream sees no identity header at all', () => {
  for (const [label, variant] of Object.entries(VARIANTS)) {
    it(`spoofed as ${variant('X-Forwarded-Email')} (${label})`, async () => {
      const reply = echoed(await send(url, '/public/page', { headers: spoofed(variant) }), label)
      assertNoSpoof(reply, label)
      assert.deepEqual([...identityHeaders(reply).keys()], [], label)
    })
  }

  it('every spelling at once', async () => {
    const reply = echoed(await send(url, '/public/page', { headers: allVariants() }), 'all')
    assertNoSpoof(reply, 'all')
    assert.deepEqual([...identityHeaders(reply).keys()], [])
  })

  it('with a session on a skip-auth route the upstream sees gatehouse\'s values only', async () => {
    const reply = echoed(await send(url, '/public/page', { headers: { Cookie: cookie, ...allVariants() } }), 'skip-auth signed in')
    assertNoSpoof(reply, 'skip-auth signed in')
    assert.deepEqual(identityHeaders(reply), baseline)
  })

  it('spoofed identity headers do not sign anyone in on a protected path', async () => {
    for (const variant of Object.values(VARIANTS)) {
      const res = await send(url, '/private', { headers: { Accept: 'application/json', ...spoofed(variant) } })
      assert.equal(res.status, 401, variant('X-Forwarded-User'))
    }
  })
})

describe('/oauth2/auth does not reflect client identity headers', () => {
  it('signed in: 202 with gatehouse\'s values only', async () => {
    for (const [label, variant] of [...Object.entries(VARIANTS), ['all', () => '']] as const) {
      const headers = label === 'all' ? allVariants() : spoofed(variant)
      const res = await send(url, '/oauth2/auth', { headers: { Cookie: cookie, ...headers } })
      assert.equal(res.status, 202, label)
      assert.ok(!res.rawHeaders.some((v) => v.includes(MARK)), `${label}: reflected ${JSON.stringify(res.rawHeaders)}`)
      assert.deepEqual(headerValues(res, 'x-auth-request-user'), ['alice'], label)
      assert.deepEqual(headerValues(res, 'x-auth-request-email'), ['alice@example.com'], label)
      assert.deepEqual(headerValues(res, 'gap-auth'), ['alice@example.com'], label)
    }
  })

  it('without a session: 401 and no identity header', async () => {
    const res = await send(url, '/oauth2/auth', { headers: allVariants() })
    assert.equal(res.status, 401)
    assert.ok(!res.rawHeaders.some((v) => v.includes(MARK)))
    const names = res.rawHeaders.filter((_, i) => i % 2 === 0).map(normalizeHeaderName)
    assert.deepEqual(names.filter((n) => IDENTITY_NORMALIZED.has(n)), [])
  })
})

describe('client address headers do not change a decision without --reverse-proxy', () => {
  it('X-Forwarded-For, X-Real-IP and Forwarded naming a --trusted-ip do not skip authentication', async () => {
    const cases: Record<string, string>[] = [
      { 'X-Forwarded-For': '10.9.8.7' },
      { 'X-Real-IP': '10.9.8.7' },
      { X_Real_IP: '10.9.8.7' },
      { Forwarded: 'for=10.9.8.7' },
      { 'X-Forwarded-For': '10.9.8.7', 'X-Real-IP': '10.9.8.7', Forwarded: 'for=10.9.8.7', 'X-ProxyUser-IP': '10.9.8.7' },
    ]
    for (const headers of cases) {
      const res = await send(url, '/private', { headers: { Accept: 'application/json', ...headers } })
      assert.equal(res.status, 401, JSON.stringify(headers))
      const auth = await send(url, '/oauth2/auth', { headers })
      assert.equal(auth.status, 401, `/oauth2/auth ${JSON.stringify(headers)}`)
    }
  })

  it('the upstream sees the real peer appended after a client X-Forwarded-For', async () => {
    const reply = echoed(await send(url, '/public/x', { headers: { 'X-Forwarded-For': '10.9.8.7' } }), 'xff')
    assert.equal(reply.headers['x-forwarded-for'], '10.9.8.7, 127.0.0.1')
  })
})
