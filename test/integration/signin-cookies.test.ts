// The session and CSRF cookies through the real process: every --cookie-* option, per-request CSRF cookies,
// --session-cookie-minimal, sessions split over 4 KB, and every --cookie-secret form (reference §1.4, §4).
// Cookie values are checked against the reference independently: HMAC-SHA256 with the secret as written,
// AES-CFB with the key the secret gives, an LZ4 frame inside.
import { strict as assert } from 'node:assert'
import { createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { runGatehouse } from '../helpers/process.js'
import { peerArgs, startStack, type Stack } from '../helpers/stack.js'

const JSON_ACCEPT = { accept: 'application/json' }

/** The Set-Cookie line that sets `name` to a non-empty value. */
function setting(setCookies: readonly string[], name: string): string {
  const line = setCookies.find((c) => c.startsWith(`${name}=`) && !c.startsWith(`${name}=;`))
  assert.ok(line !== undefined, `a Set-Cookie for ${name} in:\n${setCookies.join('\n')}`)
  return line
}

/** Attributes of a Set-Cookie line, lower-cased names. */
function attrs(line: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of line.split(';').slice(1)) {
    const [k = '', ...v] = part.trim().split('=')
    out.set(k.toLowerCase(), v.join('='))
  }
  return out
}

/** The AES key oauth2-proxy derives (reference §4.1), written out again here rather than imported. */
function expectedAesKey(secret: string): Buffer {
  const t = secret.replace(/=+$/, '')
  if (/^[A-Za-z0-9_-]*$/.test(t) && t.length % 4 !== 1) {
    const decoded = Buffer.from(t, 'base64url')
    if ([16, 24, 32].includes(decoded.length)) return decoded
  }
  return Buffer.from(secret, 'utf8')
}

/** Checks a signed session value against `secret` by the reference's recipe and returns the decrypted plaintext. */
function openByHand(name: string, value: string, secret: string): Buffer {
  const [b64, ts, sig] = value.split('|')
  assert.ok(b64 !== undefined && ts !== undefined && sig !== undefined, 'three parts')
  const mac = createHmac('sha256', secret).update(`${name}${b64}${ts}`).digest('base64').replaceAll('+', '-').replaceAll('/', '_')
  assert.equal(sig, mac, 'HMAC-SHA256 keyed with the secret as written')
  const payload = Buffer.from(b64, 'base64url')
  const key = expectedAesKey(secret)
  const decipher = createDecipheriv(`aes-${key.length * 8}-cfb`, key, payload.subarray(0, 16))
  return Buffer.concat([decipher.update(payload.subarray(16)), decipher.final()])
}

const LZ4_MAGIC = Buffer.from([0x04, 0x22, 0x4d, 0x18])

describe('cookies', () => {
  let stack: Stack
  let url: string

  before(async () => {
    stack = await startStack()
    url = stack.proxy.url
  })
  after(() => stack.close())

  async function echoOf(client: HttpClient, path = '/who'): Promise<EchoReply> {
    const res = await client.get(`${url}${path}`, { headers: JSON_ACCEPT })
    assert.equal(res.status, 200, res.body)
    return res.json<EchoReply>()
  }

  it('defaults: _oauth2_proxy, Path=/, Max-Age=604800, HttpOnly, SameSite=Lax (gatehouse default), no Domain, no Expires; CSRF cookie 15 minutes', async () => {
    const start = await stack.client().get(`${url}/oauth2/start`)
    const csrf = attrs(setting(start.setCookies, '_oauth2_proxy_csrf'))
    assert.equal(csrf.get('max-age'), '900')
    const { result } = await stack.signIn('alice')
    const line = setting(result.response.setCookies, '_oauth2_proxy')
    const a = attrs(line)
    assert.equal(a.get('path'), '/')
    assert.equal(a.get('max-age'), '604800')
    assert.ok(a.has('httponly'))
    assert.equal(a.get('samesite'), 'Lax')
    for (const absent of ['domain', 'expires', 'secure']) assert.equal(a.has(absent), false, `${absent} in ${line}`)
    const value = line.slice('_oauth2_proxy='.length).split(';')[0] ?? ''
    assert.deepEqual(openByHand('_oauth2_proxy', value, stack.cookieSecret).subarray(0, 4), LZ4_MAGIC)
  })

  it('--cookie-name, --cookie-domain, --cookie-expire, --cookie-secure, --cookie-httponly=false, --cookie-samesite=lax, --cookie-csrf-expire', async () => {
    const { client: before } = await stack.signIn('bob')
    await stack.restartProxy([
      '--cookie-name=gh_session',
      '--cookie-domain=.example.test',
      '--cookie-domain=127.0.0.1',
      '--cookie-expire=1h',
      '--cookie-secure=true',
      '--cookie-httponly=false',
      '--cookie-samesite=lax',
      '--cookie-csrf-expire=5m',
    ])
    const start = await stack.client().get(`${url}/oauth2/start`)
    const csrf = attrs(setting(start.setCookies, 'gh_session_csrf'))
    assert.equal(csrf.get('max-age'), '300')
    assert.equal(csrf.get('domain'), '127.0.0.1')
    assert.equal(csrf.get('samesite'), 'Lax')
    // The longest configured domain the request host ends with.
    const other = await stack.client().get(`${url}/oauth2/start`, { headers: { host: `app.example.test:${stack.proxy.port}` } })
    assert.equal(attrs(setting(other.setCookies, 'gh_session_csrf')).get('domain'), 'example.test')

    const { client, result } = await stack.signIn('alice', '/named')
    assert.equal(result.finalUrl, `${url}/named`)
    const a = attrs(setting(result.response.setCookies, 'gh_session'))
    assert.equal(a.get('max-age'), '3600')
    assert.equal(a.get('domain'), '127.0.0.1')
    assert.equal(a.get('samesite'), 'Lax')
    assert.equal(a.get('path'), '/')
    assert.ok(a.has('secure'))
    assert.equal(a.has('httponly'), false)
    assert.equal((await echoOf(client)).headers['x-forwarded-user'], 'alice', 'the session is read back under its new name')
    assert.equal((await before.get(`${url}/who`, { headers: JSON_ACCEPT })).status, 401, 'a cookie under the old name is no session')
  })

  it('--cookie-path with a matching --proxy-prefix; --cookie-expire=0 makes a browser-session cookie', async () => {
    await stack.restartProxy(['--proxy-prefix=/app/oauth2', '--cookie-path=/app', `--redirect-url=${url}/app/oauth2/callback`, '--cookie-expire=0'])
    const { client, result } = await stack.signIn('alice', '/app/home')
    assert.equal(result.finalUrl, `${url}/app/home`)
    const a = attrs(setting(result.response.setCookies, '_oauth2_proxy'))
    assert.equal(a.get('path'), '/app')
    assert.equal(a.has('max-age'), false)
    assert.equal(a.has('expires'), false)
    assert.equal((await echoOf(client, '/app/page')).headers['x-forwarded-user'], 'alice')
    assert.equal((await client.get(`${url}/elsewhere`, { headers: JSON_ACCEPT })).status, 401, 'the cookie is not sent outside its path')
  })

  describe('CSRF cookies', () => {
    /** Starts `count` logins in one browser (tabs), then completes them, last started first; returns each outcome in start order. */
    async function tabs(count: number, parallel: boolean): Promise<{ names: string[]; statuses: number[] }> {
      const client = stack.client()
      const starts = []
      for (let i = 0; i < count; i++) starts.push(await client.get(`${url}/oauth2/start?rd=%2Ftab${i}`))
      const names = starts.map((s) => s.setCookies.find((c) => /_csrf=[^;]/.test(c))?.split('=')[0] ?? '')
      const finish = (location: string | undefined) =>
        loginViaHttp(client, location ?? '', { login: 'alice', password: 'alice-password' }, { idp: stack.idp.issuer })
      const order = [...starts].reverse()
      const results = []
      if (parallel) results.push(...(await Promise.all(order.map((s) => finish(s.location)))))
      else for (const s of order) results.push(await finish(s.location))
      results.reverse()
      results.forEach((r, i) => {
        if (r.status === 302) assert.equal(r.finalUrl, `${url}/tab${i}`)
      })
      return { names, statuses: results.map((r) => r.status) }
    }

    it('one shared CSRF cookie: of two logins started side by side only the last one completes', async () => {
      await stack.restartProxy([])
      const { names, statuses } = await tabs(2, false)
      assert.deepEqual(names, ['_oauth2_proxy_csrf', '_oauth2_proxy_csrf'])
      assert.deepEqual(statuses, [403, 302])
    })

    it('--cookie-csrf-per-request names each CSRF cookie after its state, so parallel logins all complete', async () => {
      await stack.restartProxy(['--cookie-csrf-per-request'])
      const start = await stack.client().get(`${url}/oauth2/start`)
      const state = new URL(start.location ?? '').searchParams.get('state') ?? ''
      setting(start.setCookies, `_oauth2_proxy_${state.slice(0, 8)}_csrf`)
      const { names, statuses } = await tabs(3, true)
      assert.equal(new Set(names).size, 3, names.join())
      for (const n of names) assert.match(n, /^_oauth2_proxy_[A-Za-z0-9_-]{8}_csrf$/)
      assert.deepEqual(statuses, [302, 302, 302])
    })

    it('--cookie-csrf-expire ends a login that takes longer', async () => {
      await stack.restartProxy(['--cookie-csrf-expire=1s'])
      const client = stack.client()
      const start = await client.get(`${url}/oauth2/start?rd=%2Flate`)
      assert.equal(attrs(setting(start.setCookies, '_oauth2_proxy_csrf')).get('max-age'), '1')
      await new Promise((r) => setTimeout(r, 2100))
      const late = await loginViaHttp(client, start.location ?? '', { login: 'alice', password: 'alice-password' }, { idp: stack.idp.issuer })
      assert.equal(late.status, 403)
      assert.match(late.response.body, /Unable to find a valid CSRF token/)
    })
  })

  describe('--session-cookie-minimal', () => {
    it('refuses to start with --pass-access-token, which needs the tokens it leaves out (as oauth2-proxy)', async () => {
      const run = await runGatehouse({
        args: [
          ...peerArgs(stack),
          '--email-domain=*',
          '--http-address=127.0.0.1:0',
          '--session-cookie-minimal',
          '--pass-access-token',
        ],
      })
      assert.equal(run.code, 1, run.logs)
      assert.match(run.logs, /pass-access-token/)
    })

    it('keeps the tokens out of the cookie and the identity in it', async () => {
      await stack.restartProxy([])
      const full = setting((await stack.signIn('alice')).result.response.setCookies, '_oauth2_proxy')
      await stack.restartProxy(['--session-cookie-minimal'])
      const { client, result } = await stack.signIn('alice')
      const minimal = setting(result.response.setCookies, '_oauth2_proxy')
      assert.ok(minimal.length < full.length / 2, `${minimal.length} against ${full.length}`)
      const plain = openByHand('_oauth2_proxy', minimal.slice('_oauth2_proxy='.length).split(';')[0] ?? '', stack.cookieSecret)
      assert.doesNotMatch(plain.toString('latin1'), /eyJ/, 'no JWT in the session')
      const echo = await echoOf(client)
      assert.equal(echo.headers['x-forwarded-email'], 'alice@example.com')
      assert.equal(echo.headers['x-forwarded-access-token'], undefined)
    })
  })

  it('splits a session over 4 KB into _0, _1, … and reads it back whole', async () => {
    const groups = Array.from({ length: 40 }, (_, i) => `group-${i}-${randomBytes(20).toString('hex')}`)
    stack.idp.users.push({ sub: 'gina', email: 'gina@example.com', emailVerified: true, name: 'Gina', preferredUsername: 'gina', groups, password: 'gina-password' })
    await stack.restartProxy(['--scope=openid email profile groups'])
    const { client, result } = await stack.signIn('gina', '/big')
    assert.equal(result.finalUrl, `${url}/big`)
    const chunks = result.response.setCookies.filter((c) => /^_oauth2_proxy_\d+=[^;]/.test(c))
    assert.ok(chunks.length >= 2, `split into ${chunks.length}`)
    chunks.forEach((c, i) => {
      assert.ok(c.startsWith(`_oauth2_proxy_${i}=`), 'consecutive names')
      assert.ok(Buffer.byteLength(c) <= 4000, `chunk ${i} is ${Buffer.byteLength(c)} bytes`)
    })
    assert.equal(result.response.setCookies.some((c) => /^_oauth2_proxy=[^;]/.test(c)), false)
    const joined = chunks.map((c) => c.slice(c.indexOf('=') + 1).split(';')[0]).join('')
    assert.deepEqual(openByHand('_oauth2_proxy', joined, stack.cookieSecret).subarray(0, 4), LZ4_MAGIC, 'signed under the base name')

    assert.equal((await echoOf(client)).headers['x-forwarded-groups'], groups.join(','))
    assert.deepEqual((await client.get(`${url}/oauth2/userinfo`)).json<{ groups: string[] }>().groups, groups)

    // Signing in again in that browser with a small session deletes the chunks it no longer needs.
    const next = stack.client()
    for (const c of client.jar.list(url)) next.jar.set(url, `${c.name}=${c.value}; Path=/`)
    const small = await loginViaHttp(next, `${url}/oauth2/start?rd=%2F`, { login: 'alice', password: 'alice-password' })
    assert.equal(small.status, 302)
    setting(small.response.setCookies, '_oauth2_proxy')
    assert.deepEqual(next.jar.list(url).map((c) => c.name).filter((n) => n.startsWith('_oauth2_proxy')), ['_oauth2_proxy'])

    const out = await client.get(`${url}/oauth2/sign_out`)
    for (let i = 0; i < chunks.length; i++) assert.ok(out.setCookies.some((c) => c.startsWith(`_oauth2_proxy_${i}=;`) && /Max-Age=0/.test(c)), `chunk ${i} cleared`)
  })

  describe('--cookie-secret', () => {
    const forms: [string, string, number][] = [
      ['16 raw bytes', 'sixteen-chars!!!', 16],
      ['24 raw bytes', 'twenty-four-raw-chars!!!', 24],
      ['32 raw bytes', 'thirty-two-raw-characters-here!!', 32],
      ['32 base64url characters (24 bytes, as oauth2-proxy reads them)', 'abcdefghijklmnopqrstuvwxyzABCDEF', 24],
      ['base64url of 16 bytes, padded', randomBytes(16).toString('base64url') + '==', 16],
      ['base64url of 24 bytes', randomBytes(24).toString('base64url'), 24],
      ['base64url of 32 bytes, padded', randomBytes(32).toString('base64url') + '=', 32],
    ]
    for (const [label, secret, keyBytes] of forms) {
      it(`starts and seals sessions with ${label}`, async () => {
        assert.equal(expectedAesKey(secret).length, keyBytes)
        await stack.restartProxy([`--cookie-secret=${secret}`])
        const { client, result } = await stack.signIn('bob')
        const value = setting(result.response.setCookies, '_oauth2_proxy').slice('_oauth2_proxy='.length).split(';')[0] ?? ''
        assert.deepEqual(openByHand('_oauth2_proxy', value, secret).subarray(0, 4), LZ4_MAGIC, `AES-${keyBytes * 8}`)
        assert.equal((await echoOf(client)).headers['x-forwarded-user'], 'bob')
      })
    }

    for (const [label, secret] of [
      ['too short', 'tiny-secret'],
      ['standard base64 with + and /', Buffer.alloc(32, 0xfb).toString('base64')],
      ['33 bytes', 'x'.repeat(33)],
    ] as const) {
      it(`exits 1 on a secret ${label}, showing how to make one`, async () => {
        const run = await runGatehouse({
          args: ['--provider=oidc', `--oidc-issuer-url=${stack.idp.issuer}`, '--client-id=gatehouse', '--client-secret=x', '--email-domain=*', `--upstream=${stack.echo.url}/`, `--cookie-secret=${secret}`],
        })
        assert.equal(run.code, 1, run.logs)
        assert.match(run.logs, /openssl rand -base64 32/)
        assert.equal(run.logs.includes(secret), false, 'the secret itself is never printed')
      })
    }
  })
})
