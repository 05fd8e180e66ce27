import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createCookieJar } from '../cookies/jar.js'
import { cookieSecretKeys } from '../crypto/cookie-secret.js'
import { createLogger } from '../log/logger.js'
import type { Provider } from '../providers/provider.js'
import { createCookieStore } from '../session/cookie-store.js'
import { createCookieRevocations } from '../session/revocation.js'
import type { Session } from '../session/session.js'
import { createAuthenticator } from './authenticate.js'
import { idleState } from './idle.js'

const MIN = 60_000
const T0 = Date.UTC(2026, 10, 24, 9, 0, 0)
const jar = createCookieJar({ name: '_oauth2_proxy', domains: [], path: '/', expireMs: 24 * 60 * MIN, secure: true, httpOnly: true, sameSite: '', csrfExpireMs: 900_000, csrfSameSite: '' })
const keys = cookieSecretKeys('0123456789abcdef0123456789abcdef')
const noRefresh: Provider = {
  name: 'oidc',
  displayName: 'test',
  async warmUp() {},
  async loginUrl() {
    return ''
  },
  async redeem() {
    throw new Error('not used')
  },
  async refresh() {
    throw new Error('refreshing is off')
  },
}

function cookiesFrom(setCookies: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of setCookies) {
    const [pair = ''] = line.split(';')
    const eq = pair.indexOf('=')
    if (pair.slice(eq + 1) !== '') out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}

describe('--session-idle-timeout with the cookie store', () => {
  const session: Session = { createdAt: new Date(T0), signedInAt: new Date(T0), email: 'alice@example.com', user: 'alice', sid: 'idp-1' }

  function setup() {
    let now = T0
    const idled: string[] = []
    const store = createCookieStore({ jar, ...keys, minimal: false })
    const auth = createAuthenticator({
      store, provider: noRefresh, refreshAfterMs: 0, clock: () => now, log: createLogger({ level: 'silent' }),
      idleTimeoutMs: 10 * MIN, onIdle: (s) => idled.push(s.user ?? ''),
    })
    return { store, auth, idled, at: (t: number) => (now = T0 + t) }
  }

  it('rewrites the last use at most once a minute, and ends a session unused past the timeout', async () => {
    const { store, auth, idled, at } = setup()
    let cookies = cookiesFrom(await store.save({}, session, 'app', T0))
    at(30_000)
    const early = await auth.authenticate(cookies, 'app')
    assert.equal(early.kind, 'authenticated')
    assert.equal(early.setCookies.length, 1, 'a session without a last use gets one at once')
    cookies = cookiesFrom(early.setCookies)
    at(50_000)
    assert.deepEqual((await auth.authenticate(cookies, 'app')).setCookies, [], 'no Set-Cookie within the minute')
    at(95_000)
    const touched = await auth.authenticate(cookies, 'app')
    assert.equal(touched.setCookies.length, 1, 'one Set-Cookie once the minute is over')
    assert.deepEqual((await auth.authenticate(cookies, 'app')).setCookies, [], 'parallel requests with the old cookie write it once')
    cookies = cookiesFrom(touched.setCookies)
    const loaded = await store.load(cookies, T0 + 95_000)
    assert.equal(loaded.kind === 'ok' ? loaded.session.lastUsedAt?.getTime() : 0, T0 + 95_000)
    assert.equal(loaded.kind === 'ok' ? loaded.session.sid : '', 'idp-1', 'the other fields survive')
    // Used at 95 s: still signed in 10 minutes later, ended once 10 minutes and the write interval have passed.
    at(95_000 + 10 * MIN)
    assert.equal((await auth.authenticate({ ...cookies }, 'app')).kind, 'authenticated')
    const stale = cookiesFrom((await store.save({}, { ...session, lastUsedAt: new Date(T0 + 95_000) }, 'app', T0)))
    at(95_000 + 11 * MIN + 1)
    const ended = await auth.authenticate(stale, 'app')
    assert.equal(ended.kind, 'anonymous')
    assert.ok(ended.setCookies.some((c) => c.startsWith('_oauth2_proxy=;')), 'the cookie is cleared')
    assert.deepEqual(idled, ['alice'])
  })

  it('never ends a session early and counts sessions without a last use from their sign-in', () => {
    assert.equal(idleState({ lastUsedAt: new Date(T0) }, T0 + 11 * MIN, 10 * MIN), 'touch')
    assert.equal(idleState({ lastUsedAt: new Date(T0) }, T0 + 11 * MIN + 1, 10 * MIN), 'ended')
    assert.equal(idleState({ lastUsedAt: new Date(T0) }, T0 + 59_000, 10 * MIN), 'fresh')
    assert.equal(idleState({ createdAt: new Date(T0) }, T0 + 30 * MIN, 10 * MIN), 'ended')
    assert.equal(idleState({}, T0, 10 * MIN), 'touch')
  })
})

describe('cookie revocation list', () => {
  it('refuses sessions of a revoked sid, and of a revoked sub signed in before the revocation only', async () => {
    let now = T0
    const list = createCookieRevocations({ expireMs: 60 * MIN, clock: () => now })
    const old: Session = { user: 'bob', sid: 's1', signedInAt: new Date(T0 - MIN) }
    assert.equal(list.isRevoked(old), false)
    await list.revoke({ sid: 's1' }, now)
    assert.equal(list.isRevoked(old), true)
    assert.equal(list.isRevoked({ ...old, sid: 's2' }), false)
    await list.revoke({ sub: 'bob', before: T0 }, now)
    assert.equal(list.isRevoked({ user: 'bob', sid: 's2', signedInAt: new Date(T0 - 1) }), true)
    assert.equal(list.isRevoked({ user: 'bob', sid: 's3', signedInAt: new Date(T0 + 1000) }), false, 'a later sign-in is fine')
    now = T0 + 61 * MIN
    assert.equal(list.isRevoked(old), false, 'entries go once every cookie they cover has expired')
    assert.equal(await list.remember('j', MIN), true)
    assert.equal(await list.seen('j'), true)
    assert.equal(await list.remember('j', MIN), false)
  })
})
