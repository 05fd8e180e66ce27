// The Redis session store through real processes: a real redis-server, the dev IdP, and two gatehouse replicas
// sharing one Redis. Sign-in stores a ticket cookie, either replica serves the session, sign-out on one ends it on
// both, and twenty concurrent requests on a stale session (spread over both replicas) cause one refresh grant.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { openSignedValue } from '../../src/crypto/signed-value.js'
import { decodeTicket } from '../../src/session/ticket.js'
import type { HttpClient } from '../helpers/http.js'
import type { Gatehouse } from '../helpers/process.js'
import { redisCli, startRedis, type RedisServer } from '../helpers/redis.js'
import { getWith, startRedisStack, type RedisStack } from '../helpers/redis-stack.js'

describe('Redis session store (standalone, two replicas)', () => {
  let redis: RedisServer
  let stack: RedisStack
  let replica: Gatehouse
  before(async () => {
    redis = await startRedis()
    stack = await startRedisStack([`--redis-connection-url=${redis.url}`], ['--cookie-refresh=1s', '--scope=openid email profile offline_access'])
    replica = await stack.startReplica()
  })
  after(async () => {
    await stack?.close()
    await redis?.stop()
  })

  /** The Redis key the client's ticket cookie names. */
  function ticketId(client: HttpClient): string {
    const value = client.jar.get(stack.proxy.url, '_oauth2_proxy')
    assert.ok(value, 'the client holds a session cookie')
    const opened = openSignedValue('_oauth2_proxy', value, cookieSecretKeys(stack.cookieSecret).hmacKey, 0, Date.now())
    assert.ok(opened, 'the cookie is signed with the cookie secret')
    assert.match(opened.payload.toString(), /^v2\./, 'the cookie carries an oauth2-proxy v2 ticket')
    const ticket = decodeTicket(opened.payload.toString(), '_oauth2_proxy')
    assert.ok(ticket)
    return ticket.id
  }

  it('signs in with the session in Redis and a small ticket cookie', async () => {
    const { client, result } = await stack.signIn('alice', '/hello')
    assert.equal(result.status, 302)
    const id = ticketId(client)
    assert.equal(await redisCli(redis.port, 'exists', id), '1')
    assert.ok((client.jar.get(stack.proxy.url, '_oauth2_proxy') ?? '').length < 200)
    const res = await getWith(client, stack, stack.proxy, '/oauth2/auth')
    assert.equal(res.status, 202)
    const info = await getWith(client, stack, stack.proxy, '/oauth2/userinfo')
    assert.equal(info.json<{ email: string }>().email, 'alice@example.com')
    assert.equal((await stack.client().get(`${stack.proxy.url}/ready`)).status, 200)
  })

  it('serves a session made on one replica from the other, and a sign-out on one ends it on both', async () => {
    const { client } = await stack.signIn('bob')
    const id = ticketId(client)
    const onReplica = await getWith(client, stack, replica, '/via-replica')
    assert.equal(onReplica.status, 200)
    assert.equal(onReplica.json<{ headers: Record<string, string> }>().headers['x-forwarded-email'], 'bob@example.com')
    const out = await getWith(client, stack, replica, '/oauth2/sign_out')
    assert.equal(out.status, 302)
    assert.equal(await redisCli(redis.port, 'exists', id), '0', 'the key is gone')
    // The browser might still send the old cookie (a copy, another tab): neither replica accepts it now.
    assert.equal((await getWith(client, stack, stack.proxy, '/after-sign-out')).status, 401)
    assert.equal((await getWith(client, stack, replica, '/after-sign-out')).status, 401)
  })

  it('drops the other replica\'s in-memory copy when a session ends: a signed-out cookie is refused there within 100 ms', async () => {
    const { client } = await stack.signIn('bob')
    // The replica reads the session twice: the second answer comes from its memory (Redis client-side caching).
    assert.equal((await getWith(client, stack, replica, '/warm-1')).status, 200)
    assert.equal((await getWith(client, stack, replica, '/warm-2')).status, 200)
    const cookie = client.jar.header(stack.proxy.url)
    assert.ok(cookie)
    assert.equal((await getWith(client, stack, stack.proxy, '/oauth2/sign_out')).status, 302)
    // The old cookie, sent again to the replica that had the session in memory: Redis's invalidation push reached it.
    let status = 0
    for (let i = 0; i < 10 && status !== 401; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 10))
      status = (await stack.client().get(`${replica.url}/after-sign-out`, { cookies: false, headers: { cookie, accept: 'application/json' } })).status
    }
    assert.equal(status, 401)
  })

  it('refreshes a stale session once for twenty concurrent requests spread over both replicas', async () => {
    const { client } = await stack.signIn('alice')
    const id = ticketId(client)
    await new Promise((r) => setTimeout(r, 2200)) // past --cookie-refresh=1s (ages compare in whole seconds)
    stack.idp.resetStats()
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => getWith(client, stack, i % 2 === 0 ? stack.proxy : replica, `/stale-${i}`)))
    for (const res of answers) assert.equal(res.status, 200, res.body)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1, 'exactly one refresh grant at the IdP')
    assert.equal(await redisCli(redis.port, 'exists', `${id}.lock`), '0', 'the lock is released')
    // The refreshed session is the one in Redis now: the next request needs no refresh.
    stack.idp.resetStats()
    assert.equal((await getWith(client, stack, replica, '/after')).status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'] ?? 0, 0)
    assert.doesNotMatch(stack.proxy.logs() + replica.logs(), /"(access|refresh|id)_?[tT]oken":"ey/, 'no token in the logs')
  })
})
