import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createLogger } from '../log/logger.js'
import type { Provider, RefreshResult } from '../providers/provider.js'
import type { Session } from '../session/session.js'
import type { LoadResult, SessionStore } from '../session/store.js'
import { createAuthenticator, isRefreshDue } from './authenticate.js'

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0)
const MIN = 60_000
const log = createLogger({ level: 'silent' })

/** A shared store in memory: one session under key "k", and a lock that another replica may be holding. */
function memoryStore(initial: Session, opts: { lockedElsewhere?: boolean } = {}) {
  const state = { session: initial, saves: 0, locks: 0, releases: 0, held: opts.lockedElsewhere ?? false }
  const store: SessionStore = {
    async load(): Promise<LoadResult> {
      return { kind: 'ok', session: state.session, key: 'k' }
    },
    async save(_c, session) {
      state.session = session
      state.saves++
      return ['_oauth2_proxy=new']
    },
    async clear() {
      return ['_oauth2_proxy=; Max-Age=0']
    },
    async lock() {
      if (state.held) return undefined
      state.held = true
      state.locks++
      return async () => {
        state.held = false
        state.releases++
      }
    },
    async ping() {},
    async close() {},
  }
  return { store, state }
}

function provider(onRefresh: (s: Session) => RefreshResult): Provider & { calls: number } {
  const p = {
    name: 'oidc',
    displayName: 'test',
    calls: 0,
    async warmUp() {},
    async loginUrl() {
      return ''
    },
    async redeem(): Promise<Session> {
      throw new Error('not used')
    },
    async refresh(s: Session) {
      p.calls++
      return onRefresh(s)
    },
  }
  return p
}

const stale: Session = { createdAt: new Date(T0 - 10 * MIN), expiresOn: new Date(T0 + 50 * MIN), accessToken: 'old', refreshToken: 'rt', user: 'alice' }

describe('authenticator refresh', () => {
  it('refreshes a stale session under the store lock, saves it and releases the lock', async () => {
    const { store, state } = memoryStore(stale)
    const p = provider((s) => ({ kind: 'refreshed', session: { ...s, accessToken: 'new', createdAt: new Date(T0) } }))
    const auth = createAuthenticator({ store, provider: p, refreshAfterMs: MIN, clock: () => T0, log })
    const result = await auth.authenticate({ _oauth2_proxy: 'x' }, 'h')
    assert.equal(result.kind, 'authenticated')
    assert.equal(result.kind === 'authenticated' ? result.session.accessToken : '', 'new')
    assert.deepEqual(result.setCookies, ['_oauth2_proxy=new'])
    assert.deepEqual([p.calls, state.saves, state.locks, state.releases], [1, 1, 1, 1])
  })

  it('carries on with the current session while another replica holds the lock', async () => {
    const { store, state } = memoryStore(stale, { lockedElsewhere: true })
    const p = provider(() => assert.fail('no refresh without the lock'))
    const auth = createAuthenticator({ store, provider: p, refreshAfterMs: MIN, clock: () => T0, log })
    const result = await auth.authenticate({ _oauth2_proxy: 'x' }, 'h')
    assert.equal(result.kind === 'authenticated' ? result.session.accessToken : '', 'old')
    assert.deepEqual(result.setCookies, [])
    assert.equal(state.saves, 0)
  })

  it('does not refresh again when the session reloaded under the lock is fresh (another replica just did)', async () => {
    const { store, state } = memoryStore(stale)
    const originalLock = store.lock?.bind(store)
    store.lock = async (key, ttl) => {
      state.session = { ...stale, accessToken: 'refreshed-elsewhere', createdAt: new Date(T0) }
      return originalLock?.(key, ttl)
    }
    const p = provider(() => assert.fail('a rotated refresh token must not be used twice'))
    const auth = createAuthenticator({ store, provider: p, refreshAfterMs: MIN, clock: () => T0, log })
    const result = await auth.authenticate({ _oauth2_proxy: 'x' }, 'h')
    assert.equal(result.kind === 'authenticated' ? result.session.accessToken : '', 'refreshed-elsewhere')
    assert.equal(state.releases, 1)
  })

  it('releases the lock when the provider fails, and keeps the session', async () => {
    const { store, state } = memoryStore(stale)
    const p = provider(() => {
      throw new Error('IdP down')
    })
    const auth = createAuthenticator({ store, provider: p, refreshAfterMs: MIN, clock: () => T0, log })
    const result = await auth.authenticate({ _oauth2_proxy: 'x' }, 'h')
    assert.equal(result.kind, 'authenticated')
    assert.equal(state.releases, 1)
  })
})

describe('isRefreshDue', () => {
  const young = { createdAt: new Date(T0), expiresOn: new Date(T0 + 60 * MIN), refreshToken: 'rt' }
  it('is due past --cookie-refresh, never when refreshing is off', () => {
    assert.equal(isRefreshDue({ ...young, createdAt: new Date(T0 - 2 * MIN) }, MIN, T0), true)
    assert.equal(isRefreshDue(young, MIN, T0 + 30_000), false)
    assert.equal(isRefreshDue({ ...young, createdAt: new Date(T0 - 2 * MIN) }, 0, T0), false)
  })

  it('is due shortly before the access token expires: a minute, or half a short lifetime', () => {
    assert.equal(isRefreshDue(young, 2 * 60 * MIN, T0 + 58 * MIN), false)
    assert.equal(isRefreshDue(young, 2 * 60 * MIN, T0 + 59 * MIN), true)
    const short = { createdAt: new Date(T0), expiresOn: new Date(T0 + 10_000), refreshToken: 'rt' }
    assert.equal(isRefreshDue(short, 2 * 60 * MIN, T0 + 4_000), false)
    assert.equal(isRefreshDue(short, 2 * 60 * MIN, T0 + 5_000), true)
    assert.equal(isRefreshDue({ ...short, refreshToken: undefined }, 2 * 60 * MIN, T0 + 9_000), false, 'nothing to refresh with')
  })
})
