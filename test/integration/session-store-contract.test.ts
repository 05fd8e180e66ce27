// One contract every session store keeps, run against the cookie store and the Redis store (a real redis-server),
// plus what only a server-side store can promise: a cleared session is gone, and the refresh lock is exclusive.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { createCookieJar } from '../../src/cookies/jar.js'
import { randomBytes } from 'node:crypto'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { openSignedValue, signValue } from '../../src/crypto/signed-value.js'
import { createLogger } from '../../src/log/logger.js'
import { createCookieStore } from '../../src/session/cookie-store.js'
import { createRedisConnection, type RedisConnection } from '../../src/session/redis-client.js'
import { createRedisStore } from '../../src/session/redis-store.js'
import type { Session } from '../../src/session/session.js'
import type { SessionStore } from '../../src/session/store.js'
import { decodeTicket, encodeTicket } from '../../src/session/ticket.js'
import { redisCli, startRedis, type RedisServer } from '../helpers/redis.js'

const HOUR = 3600_000
const HOST = 'app.example.com'
const jar = createCookieJar({ name: '_oauth2_proxy', domains: [], path: '/', expireMs: HOUR, secure: true, httpOnly: true, sameSite: 'lax', csrfExpireMs: 900_000, csrfSameSite: '' })
const keys = cookieSecretKeys('0123456789abcdef0123456789abcdef')

/** The request cookies a browser would send back after `setCookies`. */
function cookiesFrom(setCookies: string[], previous: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...previous }
  for (const line of setCookies) {
    const [pair = ''] = line.split(';')
    const eq = pair.indexOf('=')
    const value = pair.slice(eq + 1)
    if (value === '' || /Max-Age=0/i.test(line)) delete out[pair.slice(0, eq)]
    else out[pair.slice(0, eq)] = value
  }
  return out
}

function sessionFor(user: string, now: number): Session {
  return { createdAt: new Date(Math.floor(now / 1000) * 1000), expiresOn: new Date(now + HOUR), email: `${user}@example.com`, user, accessToken: `at-${user}`, idToken: `it-${user}`, refreshToken: `rt-${user}`, groups: ['staff'], additionalClaims: { tenant: 'x' } }
}

/** The shared contract: what the authenticator and handlers rely on from any store. */
/** `sharedLock`: the store offers the cross-replica refresh lock (server-side stores). */
function contract(name: string, make: () => SessionStore, sharedLock: boolean) {
  describe(`session store contract: ${name}`, () => {
    let store: SessionStore
    before(() => {
      store = make()
    })

    it('has no session without a cookie, and answers ping', async () => {
      assert.deepEqual(await store.load({}, Date.now()), { kind: 'none' })
      await store.ping()
    })

    it('reads back what it saved, field for field', async () => {
      const now = Date.now()
      const saved = sessionFor('alice', now)
      const setCookies = await store.save({}, saved, HOST, now)
      assert.ok(setCookies.some((c) => c.startsWith('_oauth2_proxy=') && /HttpOnly/.test(c) && /Secure/.test(c)))
      const loaded = await store.load(cookiesFrom(setCookies), now)
      assert.equal(loaded.kind, 'ok')
      if (loaded.kind !== 'ok') return
      assert.deepEqual(loaded.session, saved)
      assert.ok(loaded.key.length > 0)
    })

    it('treats a tampered or foreign cookie as invalid, never as an error', async () => {
      const now = Date.now()
      const cookies = cookiesFrom(await store.save({}, sessionFor('bob', now), HOST, now))
      const value = cookies._oauth2_proxy as string
      const tampered = `${value.slice(0, 5)}${value[5] === 'A' ? 'B' : 'A'}${value.slice(6)}`
      assert.equal((await store.load({ _oauth2_proxy: tampered }, now)).kind, 'invalid')
      assert.equal((await store.load({ _oauth2_proxy: 'garbage' }, now)).kind, 'invalid')
    })

    it('refuses a cookie older than --cookie-expire', async () => {
      const then = Date.now() - 2 * HOUR
      const cookies = cookiesFrom(await store.save({}, sessionFor('carol', then), HOST, then))
      assert.equal((await store.load(cookies, Date.now())).kind, 'invalid')
    })

    it('keeps the newest session after a save over an existing one, under the same key', async () => {
      const now = Date.now()
      const first = cookiesFrom(await store.save({}, sessionFor('alice', now), HOST, now))
      const firstKey = await store.load(first, now)
      const refreshed = { ...sessionFor('alice', now + 1000), accessToken: 'at-refreshed' }
      const second = cookiesFrom(await store.save(first, refreshed, HOST, now + 1000), first)
      const loaded = await store.load(second, now + 1000)
      assert.equal(loaded.kind, 'ok')
      if (loaded.kind !== 'ok' || firstKey.kind !== 'ok') return
      assert.equal(loaded.session.accessToken, 'at-refreshed')
      if (store.lock !== undefined) assert.equal(loaded.key, firstKey.key, 'a shared store keeps the session under one key across refreshes')
    })

    it('clears every cookie of the session, chunks included', async () => {
      const now = Date.now()
      const cookies = { ...cookiesFrom(await store.save({}, sessionFor('alice', now), HOST, now)), _oauth2_proxy_0: 'x', other: 'y' }
      const cleared = await store.clear(cookies, HOST)
      const names = cleared.map((c) => c.split('=')[0]).sort()
      assert.deepEqual(names, ['_oauth2_proxy', '_oauth2_proxy_0'])
      for (const c of cleared) assert.match(c, /Max-Age=0/)
    })

    if (!sharedLock) {
      it('offers no shared lock (the authenticator serialises refreshes in-process)', () => assert.equal(store.lock, undefined))
      return
    }
    it('gives the refresh lock to one caller at a time', async () => {
      assert.ok(store.lock)
      const now = Date.now()
      const loaded = await store.load(cookiesFrom(await store.save({}, sessionFor('bob', now), HOST, now)), now)
      assert.equal(loaded.kind, 'ok')
      if (loaded.kind !== 'ok') return
      const release = await store.lock(loaded.key, 5000)
      assert.ok(release, 'the first caller gets the lock')
      assert.equal(await store.lock(loaded.key, 5000), undefined, 'a second caller does not')
      await release()
      const again = await store.lock(loaded.key, 5000)
      assert.ok(again, 'released locks can be taken again')
      await again()
    })
  })
}

contract('cookie', () => createCookieStore({ jar, ...keys, minimal: false }), false)

let redis: RedisServer
let connection: RedisConnection
let untracked: RedisConnection

async function connect(clientSideCache: boolean): Promise<RedisConnection> {
  const c = createRedisConnection({
    connectionUrl: redis.url, username: '', password: '', useSentinel: false, sentinelMasterName: '', sentinelConnectionUrls: [], sentinelPassword: '',
    useCluster: false, clusterConnectionUrls: [], caPath: '', insecureSkipTlsVerify: false, idleTimeoutSec: 0, clientSideCache, commandTimeoutMs: 2000, log: createLogger({ level: 'silent' }),
  })
  for (let i = 0; i < 100; i++) {
    if (await c.ping('probe').then(() => true, () => false)) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return c
}

before(async () => {
  redis = await startRedis()
  connection = await connect(true)
  untracked = await connect(false)
})
after(async () => {
  await connection?.close()
  await untracked?.close()
  await redis?.stop()
})

contract('redis', () => createRedisStore({ jar, hmacKey: keys.hmacKey, redis: connection }), true)
contract('redis without the client-side cache', () => createRedisStore({ jar, hmacKey: keys.hmacKey, redis: untracked }), true)

describe('redis store with the client-side cache', () => {
  it('serves a session read once from memory until Redis says it changed, whoever changed it', async () => {
    assert.equal(connection.tracking, true)
    assert.equal(untracked.tracking, false)
    const now = Date.now()
    const store = createRedisStore({ jar, hmacKey: keys.hmacKey, redis: connection })
    const cookies = cookiesFrom(await store.save({}, sessionFor('alice', now), HOST, now))
    const first = await store.load(cookies, now)
    const second = await store.load(cookies, now)
    assert.ok(first.kind === 'ok' && second.kind === 'ok')
    assert.equal(first.session, second.session, 'the second read is the same decoded object, not a new decryption')
    // Another client (another replica, or oauth2-proxy sharing the Redis) deletes the key: the push drops our copy.
    await redisCli(redis.port, 'del', first.key)
    let after: Awaited<ReturnType<SessionStore['load']>> = first
    for (let i = 0; i < 50 && after.kind === 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 10))
      after = await store.load(cookies, now)
    }
    assert.deepEqual(after, { kind: 'invalid', reason: 'session does not exist in Redis' })
  })

  it('never answers a ticket with a wrong secret from the cache', async () => {
    const now = Date.now()
    const store = createRedisStore({ jar, hmacKey: keys.hmacKey, redis: connection })
    const cookies = cookiesFrom(await store.save({}, sessionFor('alice', now), HOST, now))
    assert.equal((await store.load(cookies, now)).kind, 'ok')
    // A validly signed cookie naming the same Redis key with another per-session secret: the cached copy is not its.
    const opened = openSignedValue('_oauth2_proxy', cookies._oauth2_proxy ?? '', keys.hmacKey, HOUR, now)
    const ticket = opened === undefined ? undefined : decodeTicket(opened.payload.toString('utf8'), '_oauth2_proxy')
    assert.ok(ticket)
    const forged = signValue('_oauth2_proxy', Buffer.from(encodeTicket({ id: ticket.id, secret: randomBytes(16) }), 'utf8'), keys.hmacKey, Math.floor(now / 1000))
    assert.equal((await store.load({ _oauth2_proxy: forged }, now)).kind, 'invalid')
    assert.equal((await store.load(cookies, now)).kind, 'ok', 'the genuine cookie still reads its session')
  })
})

describe('redis store specifics', () => {
  const store = () => createRedisStore({ jar, hmacKey: keys.hmacKey, redis: connection })

  it('writes oauth2-proxy keys with the cookie expiry as TTL, and a clear deletes the key', async () => {
    const now = Date.now()
    const cookies = cookiesFrom(await store().save({}, sessionFor('alice', now), HOST, now))
    const loaded = await store().load(cookies, now)
    assert.equal(loaded.kind, 'ok')
    if (loaded.kind !== 'ok') return
    assert.match(loaded.key, /^_oauth2_proxy-[0-9a-f]{32}$/)
    const ttl = Number(await redisCli(redis.port, 'pttl', loaded.key))
    assert.ok(ttl > HOUR - 60_000 && ttl <= HOUR, `TTL ${ttl}`)
    await store().clear(cookies, HOST)
    assert.equal(await redisCli(redis.port, 'exists', loaded.key), '0')
    assert.deepEqual(await store().load(cookies, now), { kind: 'invalid', reason: 'session does not exist in Redis' })
  })

  it('gives a new sign-in of another user a fresh ticket (no session fixation through a planted cookie)', async () => {
    const now = Date.now()
    const planted = cookiesFrom(await store().save({}, sessionFor('mallory', now), HOST, now))
    const victim = cookiesFrom(await store().save(planted, sessionFor('alice', now), HOST, now), planted)
    assert.notEqual(victim._oauth2_proxy, planted._oauth2_proxy)
    const mallory = await store().load(planted, now)
    assert.equal(mallory.kind === 'ok' ? mallory.session.user : undefined, 'mallory', 'the planted ticket still holds only its own session')
  })
})
