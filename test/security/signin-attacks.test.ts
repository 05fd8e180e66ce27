// Attacks on the session cookie and on the callback, through the real process and the development IdP: a tampered,
// truncated, foreign, expired or incomplete session cookie is a fresh sign-in (never a 500); a callback without its
// CSRF cookie, with a wrong or garbled state, or with a replayed code never signs anyone in; an unverified email is
// refused unless --insecure-oidc-allow-unverified-email. After every attack the proxy still serves.
// Classes: oauth2-proxy reference §3.7 and §4.2 to §4.6; issue 8 "Tokens and cookies".
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { splitCookie } from '../../src/cookies/chunk.js'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { signValue } from '../../src/crypto/signed-value.js'
import { sealCookieSession } from '../../src/session/session-codec.js'
import type { Session } from '../../src/session/session.js'
import type { HttpClient, HttpResponse } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { DEV_PASSWORDS, startStack, type Stack } from '../helpers/stack.js'

const NAME = '_oauth2_proxy'
const CSRF = `${NAME}_csrf`
const CSRF_MESSAGE = 'Unable to find a valid CSRF token'
/** --cookie-expire's default (168h), in seconds. */
const COOKIE_EXPIRE_SEC = 168 * 3600

let stack: Stack
let url: string

/** Replaces the character at `index` by another base64url character, so the decoded bytes really change. */
function flip(text: string, index: number): string {
  const c = text[index] === 'A' ? 'B' : 'A'
  return text.slice(0, index) + c + text.slice(index + 1)
}

/** A signed session cookie value built with the codec, as oauth2-proxy writes it (reference §4.2, §4.3). */
function craftValue(session: Session, options: { secret?: string; name?: string; issuedAtSec?: number } = {}): string {
  const { hmacKey, aesKey } = cookieSecretKeys(options.secret ?? stack.cookieSecret)
  const issuedAtSec = options.issuedAtSec ?? Math.floor(Date.now() / 1000)
  return signValue(options.name ?? NAME, sealCookieSession(session, aesKey), hmacKey, issuedAtSec)
}

function mallory(extra: Partial<Session> = {}): Session {
  return { createdAt: new Date(Math.floor(Date.now() / 1000) * 1000), email: 'mallory@example.com', user: 'mallory-sub', ...extra }
}

/** A request with exactly this Cookie header, nothing from a jar. */
function withCookie(client: HttpClient, path: string, cookie: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return client.get(`${url}${path}`, { headers: { ...headers, cookie }, cookies: false })
}

function clears(res: HttpResponse, name: string): boolean {
  return res.setCookies.some((sc) => sc.startsWith(`${name}=;`) && /Max-Age=0/i.test(sc))
}

/** The cookie does not sign anyone in: sign-in page (403) for a browser, 401 for an API client and /oauth2/auth, and the cookie is cleared. */
async function assertFreshSignIn(cookie: string, what: string, cleared: string[] = [NAME]): Promise<void> {
  const client = stack.client()
  const page = await withCookie(client, '/private', cookie, { accept: 'text/html' })
  assert.equal(page.status, 403, `${what}: a browser gets the sign-in page`)
  assert.match(page.body, /action="\/oauth2\/start"/, `${what}: the sign-in page`)
  for (const name of cleared) assert.ok(clears(page, name), `${what}: ${name} is cleared, got ${JSON.stringify(page.setCookies)}`)
  const api = await withCookie(client, '/private', cookie, { accept: 'application/json' })
  assert.equal(api.status, 401, `${what}: an API client gets 401`)
  assert.equal(api.body, '{}')
  const auth = await withCookie(client, '/oauth2/auth', cookie)
  assert.equal(auth.status, 401, `${what}: /oauth2/auth`)
  assert.equal(auth.header('gap-auth'), undefined)
  const info = await withCookie(client, '/oauth2/userinfo', cookie)
  assert.equal(info.status, 401, `${what}: /oauth2/userinfo`)
}

/** The cookie signs its session in: the echo app sees the identity. */
async function assertSignedIn(cookie: string, email: string, what: string): Promise<void> {
  const res = await withCookie(stack.client(), '/private', cookie, { accept: 'application/json' })
  assert.equal(res.status, 200, `${what}: ${res.body.slice(0, 200)}`)
  assert.equal(res.json<{ headers: Record<string, string> }>().headers['x-forwarded-email'], email, what)
}

/** /oauth2/start for a new client: the IdP URL (with `state`) and the CSRF cookie value the proxy set. */
async function start(client: HttpClient, rd = '/after'): Promise<{ authUrl: URL; csrf: string }> {
  const res = await client.get(`${url}/oauth2/start?rd=${encodeURIComponent(rd)}`)
  assert.equal(res.status, 302)
  const csrf = client.jar.get(url, CSRF)
  assert.ok(res.location !== undefined && csrf !== undefined, 'start sets the CSRF cookie and redirects')
  return { authUrl: new URL(res.location), csrf }
}

/** Logs in at the IdP from an authorization URL and returns the proxy's answer to the callback the IdP sends back. */
async function atIdp(client: HttpClient, authUrl: URL, login = 'alice'): Promise<HttpResponse> {
  const result = await loginViaHttp(client, authUrl.href, { login, password: DEV_PASSWORDS[login] ?? '' }, { idp: stack.idp.issuer })
  assert.match(result.response.url, /\/oauth2\/callback\?/, 'the IdP sent the browser back to the callback')
  return result.response
}

function setsSession(res: HttpResponse): boolean {
  return res.setCookies.some((sc) => new RegExp(`^${NAME}(_\\d+)?=[^;]`).test(sc))
}

async function codeGrants(): Promise<number> {
  return stack.idp.stats.tokenGrants['authorization_code'] ?? 0
}

before(async () => {
  stack = await startStack()
  url = stack.proxy.url
})

after(async () => {
  await stack?.close()
})

describe('tampered, truncated, foreign, expired or incomplete session cookies are a fresh sign-in', () => {
  let real: string

  before(async () => {
    const { client, result } = await stack.signIn('alice', '/private')
    assert.equal(result.status, 302)
    const value = client.jar.get(url, NAME)
    assert.ok(value !== undefined, 'alice has a session cookie')
    real = value
    await assertSignedIn(`${NAME}=${real}`, 'alice@example.com', 'the untouched cookie')
  })

  it('a flipped byte in the value, the timestamp or the signature', async () => {
    const [payload = '', ts = '', sig = ''] = real.split('|')
    assert.ok(payload.length > 40 && /^\d+$/.test(ts) && sig.length === 44, `the cookie has the 3-part form: ${real.slice(0, 60)}`)
    const cases: Record<string, string> = {
      'payload, first byte': `${flip(payload, 0)}|${ts}|${sig}`,
      'payload, middle byte': `${flip(payload, Math.floor(payload.length / 2))}|${ts}|${sig}`,
      'payload, last full byte': `${flip(payload, payload.replace(/=+$/, '').length - 2)}|${ts}|${sig}`,
      'timestamp + 1': `${payload}|${Number(ts) + 1}|${sig}`,
      'timestamp with a leading zero': `${payload}|0${ts}|${sig}`,
      'signature, first byte': `${payload}|${ts}|${flip(sig, 0)}`,
      'signature, middle byte': `${payload}|${ts}|${flip(sig, 20)}`,
      'separators swapped': `${payload}|${sig}|${ts}`,
      'an extra part': `${real}|x`,
    }
    for (const [what, value] of Object.entries(cases)) {
      assert.notEqual(value, real)
      await assertFreshSignIn(`${NAME}=${value}`, what)
    }
  })

  it('a truncated cookie', async () => {
    for (const cut of [1, 2, 45, Math.floor(real.length / 2), real.length - 1]) {
      await assertFreshSignIn(`${NAME}=${real.slice(0, real.length - cut)}`, `${cut} characters cut`)
    }
    await assertFreshSignIn(`${NAME}=${real.slice(real.indexOf('|'))}`, 'no payload')
    await assertFreshSignIn(`${NAME}=`, 'an empty value', [])
    await assertFreshSignIn(`${NAME}=%00%ff|1|x`, 'garbage bytes')
  })

  it('a cookie signed with another secret, or for another cookie name', async () => {
    await assertSignedIn(`${NAME}=${craftValue(mallory())}`, 'mallory@example.com', 'control: crafted with the right secret')
    const otherSecret = randomBytes(32).toString('base64url')
    await assertFreshSignIn(`${NAME}=${craftValue(mallory(), { secret: otherSecret })}`, 'another secret')
    await assertFreshSignIn(`${NAME}=${craftValue(mallory(), { name: '_other_proxy' })}`, 'signed under another cookie name')
    // The real cookie replayed under the CSRF cookie's name signs nobody in either.
    await assertFreshSignIn(`${CSRF}=${real}`, 'the session value as a CSRF cookie', [])
  })

  it('a valid signature over a payload that does not decrypt to a session', async () => {
    const { hmacKey } = cookieSecretKeys(stack.cookieSecret)
    const now = Math.floor(Date.now() / 1000)
    for (const [what, payload] of [
      ['random bytes', randomBytes(64)],
      ['only an IV', randomBytes(16)],
      ['empty', Buffer.alloc(0)],
    ] as const) {
      await assertFreshSignIn(`${NAME}=${signValue(NAME, payload, hmacKey, now)}`, `signed ${what}`)
    }
  })

  it('an expired cookie (signed before --cookie-expire) and one from the future', async () => {
    const now = Math.floor(Date.now() / 1000)
    await assertSignedIn(`${NAME}=${craftValue(mallory(), { issuedAtSec: now - COOKIE_EXPIRE_SEC + 120 })}`, 'mallory@example.com', 'control: just within --cookie-expire')
    await assertFreshSignIn(`${NAME}=${craftValue(mallory(), { issuedAtSec: now - COOKIE_EXPIRE_SEC - 60 })}`, 'older than --cookie-expire')
    await assertFreshSignIn(`${NAME}=${craftValue(mallory(), { issuedAtSec: now - 10 * 365 * 86400 })}`, 'ten years old')
    await assertFreshSignIn(`${NAME}=${craftValue(mallory(), { issuedAtSec: now + 3600 })}`, 'signed an hour in the future')
  })

  it('a chunked cookie with a missing, reordered or extra chunk', async () => {
    // 200 random groups make the session cookie larger than 4 KB, so it is split into _0, _1, … as oauth2-proxy does.
    const big = mallory({ groups: Array.from({ length: 200 }, () => randomBytes(16).toString('hex')) })
    const chunks = splitCookie(NAME, craftValue(big), 'Path=/; Max-Age=604800; HttpOnly; SameSite=Lax')
    assert.ok(chunks.length >= 3, `the crafted session is split (${chunks.length} chunks)`)
    const header = (list: typeof chunks): string => list.map((c) => `${c.name}=${c.value}`).join('; ')
    await assertSignedIn(header(chunks), 'mallory@example.com', 'control: every chunk')
    const names = chunks.map((c) => c.name)
    await assertFreshSignIn(header(chunks.filter((_, i) => i !== 1)), 'chunk _1 missing', names.filter((_, i) => i !== 1))
    await assertFreshSignIn(header(chunks.slice(0, -1)), 'the last chunk missing', names.slice(0, -1))
    await assertFreshSignIn(header(chunks.slice(1)), 'chunk _0 missing', [])
    const swapped = chunks.map((c, i) => ({ name: c.name, value: (chunks[i === 0 ? 1 : i === 1 ? 0 : i] ?? c).value }))
    await assertFreshSignIn(header(swapped), 'chunks _0 and _1 swapped', names)
    const extra = [...chunks, { name: `${NAME}_${chunks.length}`, value: 'AAAA' }]
    await assertFreshSignIn(header(extra), 'an extra chunk appended', extra.map((c) => c.name))
  })
})

describe('the callback never signs in without its CSRF cookie, with a wrong state or with a replayed code', () => {
  it('a callback without the CSRF cookie is refused before the code is redeemed', async () => {
    const client = stack.client()
    const { authUrl } = await start(client)
    client.jar.delete(url, CSRF)
    const grants = await codeGrants()
    const res = await atIdp(client, authUrl)
    assert.equal(res.status, 403)
    assert.match(res.body, new RegExp(CSRF_MESSAGE))
    assert.ok(!setsSession(res), 'no session cookie')
    assert.equal(await codeGrants(), grants, 'the code was not redeemed')
  })

  it('a callback with a tampered CSRF cookie is refused', async () => {
    const client = stack.client()
    const { authUrl, csrf } = await start(client)
    client.jar.set(url, `${CSRF}=${flip(csrf, 10)}; Path=/`)
    const res = await atIdp(client, authUrl)
    assert.equal(res.status, 403)
    assert.match(res.body, new RegExp(CSRF_MESSAGE))
    assert.ok(!setsSession(res))
  })

  it('a wrong or garbled state is refused and clears nothing it should not', async () => {
    const client = stack.client()
    await start(client)
    const state = (await start(client)).authUrl.searchParams.get('state') ?? ''
    const [hash = '', redirect = ''] = state.split(/:(.*)/s)
    const states: Record<string, string> = {
      'another hash': `${flip(hash, 5)}:${redirect}`,
      'a hash of the right length from nowhere': `${randomBytes(32).toString('base64url').slice(0, hash.length)}:/`,
      'no colon': hash,
      empty: '',
      'colon only': ':',
      'base64 garbage': Buffer.from(`${hash}:/`).toString('base64url'),
      'a very long state': `${hash}x${'A'.repeat(3000)}:/`,
    }
    for (const [what, value] of Object.entries(states)) {
      // Every attempt starts a fresh login so that a valid CSRF cookie is present: only the state is wrong.
      const { authUrl } = await start(client)
      authUrl.searchParams.set('state', value)
      const grants = await codeGrants()
      const res = await atIdp(client, authUrl)
      assert.equal(res.status, 403, `${what}: ${res.body.slice(0, 120)}`)
      assert.match(res.body, new RegExp(CSRF_MESSAGE), what)
      assert.ok(!setsSession(res), `${what}: no session`)
      assert.equal(await codeGrants(), grants, `${what}: the code was not redeemed`)
    }
  })

  it('the state of an earlier login does not match the CSRF cookie of a later one', async () => {
    const client = stack.client()
    const first = await start(client, '/first')
    await start(client, '/second')
    const res = await atIdp(client, first.authUrl)
    assert.equal(res.status, 403)
    assert.ok(!setsSession(res))
  })

  it('a replayed authorization code does not sign in a second time', async () => {
    const victim = stack.client()
    const { authUrl, csrf } = await start(victim, '/victim')
    const first = await atIdp(victim, authUrl)
    assert.equal(first.status, 302, 'the first use signs in')
    assert.equal(first.location, `${url}/victim`)
    assert.ok(setsSession(first))
    const callbackUrl = first.url
    const grants = await codeGrants()
    const refused = stack.idp.stats.tokenGrantErrors['authorization_code'] ?? 0

    // The attacker holds the whole callback URL and the victim's CSRF cookie.
    const attacker = stack.client()
    const replay = await withCookie(attacker, new URL(callbackUrl).pathname + new URL(callbackUrl).search, `${CSRF}=${csrf}`, { accept: 'text/html' })
    // As oauth2-proxy (golang.org/x/oauth2's auth-style detection): a refused exchange with HTTP Basic is tried once
    // more with the secret in the form, so the replayed code reaches the IdP twice and is refused both times.
    assert.equal(await codeGrants(), grants + 2, 'the code went to the IdP again, once per client authentication style')
    assert.equal(stack.idp.stats.tokenGrantErrors['authorization_code'] ?? 0, refused + 2, 'and the IdP refused it each time')
    // oauth2-proxy answers 500 here (reference §3.7 step 4); gatehouse answers 403, since a replayed code is not a server fault.
    assert.equal(replay.status, 403)
    assert.match(replay.body, /already used or has expired/)
    assert.ok(!setsSession(replay), 'no session for the replay')
    assert.doesNotMatch(replay.body, /invalid_grant|stack|at .*\.js/, 'no internal detail on the page')
    // The victim's own callback URL used again in the victim's browser fails the same way (its CSRF cookie is gone).
    const again = await victim.get(callbackUrl)
    assert.equal(again.status, 403)
    assert.ok(!setsSession(again))
  })
})

describe('unverified email', () => {
  it('carol (email_verified=false) is refused with 403 and gets no session', async () => {
    const client = stack.client()
    const { authUrl } = await start(client)
    const res = await atIdp(client, authUrl, 'carol')
    assert.equal(res.status, 403, res.body.slice(0, 200))
    assert.ok(!setsSession(res))
    const after = await client.get(`${url}/private`, { headers: { accept: 'application/json' } })
    assert.equal(after.status, 401)
  })

  it('the proxy still serves after every attack above', async () => {
    assert.equal(stack.proxy.proc.exitCode, null, 'the process is alive')
    const { client, result } = await stack.signIn('bob', '/still')
    assert.equal(result.status, 302)
    const res = await client.get(`${url}/still`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 200)
    assert.equal(res.json<{ headers: Record<string, string> }>().headers['x-forwarded-email'], 'bob@example.com')
    assert.doesNotMatch(stack.proxy.logs(), /uncaught|unhandled/i)
  })

  it('with --insecure-oidc-allow-unverified-email carol signs in', async () => {
    await stack.restartProxy(['--insecure-oidc-allow-unverified-email'])
    const { client, result } = await stack.signIn('carol', '/carol')
    assert.equal(result.status, 302, result.response.body.slice(0, 200))
    assert.equal(result.finalUrl, `${url}/carol`)
    const res = await client.get(`${url}/carol`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 200)
    assert.equal(res.json<{ headers: Record<string, string> }>().headers['x-forwarded-email'], 'carol@example.org')
  })
})
