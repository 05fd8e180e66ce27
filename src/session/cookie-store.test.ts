import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createCookieJar } from '../cookies/jar.js'
import { cookieSecretKeys } from '../crypto/cookie-secret.js'
import { createCookieStore } from './cookie-store.js'
import type { Session } from './session.js'

const HOUR = 3600_000
const jar = createCookieJar({ name: '_oauth2_proxy', domains: [], path: '/', expireMs: HOUR, secure: true, httpOnly: true, sameSite: '', csrfExpireMs: 900_000, csrfSameSite: '' })
const keys = cookieSecretKeys('0123456789abcdef0123456789abcdef')
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0)

/** The request cookies a browser would send back after `setCookies`. */
function cookiesFrom(setCookies: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of setCookies) {
    const [pair = ''] = line.split(';')
    const eq = pair.indexOf('=')
    const value = pair.slice(eq + 1)
    if (value !== '') out[pair.slice(0, eq)] = value
  }
  return out
}

describe('cookie store', () => {
  const session: Session = { createdAt: new Date(T0), email: 'alice@example.com', user: 'alice', accessToken: 'at', groups: ['admins'] }

  it('reads back what it wrote, the same on a second read (cached) as on the first', async () => {
    const store = createCookieStore({ jar, ...keys, minimal: false })
    const cookies = cookiesFrom(await store.save({}, session, 'app.example.com', T0))
    const first = await store.load(cookies, T0 + 1000)
    const second = await store.load(cookies, T0 + 2000)
    assert.equal(first.kind, 'ok')
    assert.deepEqual(second, first)
    if (first.kind === 'ok') assert.equal(first.session.email, 'alice@example.com')
  })

  it('refuses a cookie past --cookie-expire even after it was read (and cached) while valid', async () => {
    const store = createCookieStore({ jar, ...keys, minimal: false })
    const cookies = cookiesFrom(await store.save({}, session, 'app.example.com', T0))
    assert.equal((await store.load(cookies, T0 + HOUR - 2000)).kind, 'ok')
    assert.equal((await store.load(cookies, T0 + HOUR + 1000)).kind, 'invalid')
    assert.equal((await store.load(cookies, T0 + 1000)).kind, 'ok', 'a cookie signed in the future beyond the skew is not the case here')
  })

  it('refuses a cookie signed more than five minutes in the future, cached or not', async () => {
    const store = createCookieStore({ jar, ...keys, minimal: false })
    const cookies = cookiesFrom(await store.save({}, session, 'app.example.com', T0))
    assert.equal((await store.load(cookies, T0 - 6 * 60_000)).kind, 'invalid')
    assert.equal((await store.load(cookies, T0)).kind, 'ok')
    assert.equal((await store.load(cookies, T0 - 6 * 60_000)).kind, 'invalid')
  })

  it('never hands out a session another caller can change', async () => {
    const store = createCookieStore({ jar, ...keys, minimal: false })
    const cookies = cookiesFrom(await store.save({}, session, 'app.example.com', T0))
    const loaded = await store.load(cookies, T0)
    assert.equal(loaded.kind, 'ok')
    if (loaded.kind === 'ok') assert.throws(() => Object.assign(loaded.session, { email: 'mallory@example.com' }), TypeError)
  })
})
