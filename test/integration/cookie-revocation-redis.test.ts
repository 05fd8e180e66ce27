// Cookie sessions with a Redis configured, through real processes: the revocation list lives in Redis, so a
// back-channel logout or a sign-out everywhere on one replica refuses the cookie on the others within 100 ms (a
// replica with client tracking through Redis's push, one without it by polling, one started later from the list);
// while Redis is down a logout answers 503 and a signed-in request gets 503 with a request id, and both recover.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { HttpClient } from '../helpers/http.js'
import { signOutAtIdp } from '../helpers/idp-logout.js'
import type { Gatehouse } from '../helpers/process.js'
import { redisCli, startRedis, type RedisServer } from '../helpers/redis.js'
import { getWith, startRedisStack, type RedisStack } from '../helpers/redis-stack.js'

const LOG_KEY = '_oauth2_proxy-gh-revoked'

/** Waits (bounded) until the proxy reports ready: connected to Redis and the revocation list read. */
async function untilReady(proxy: Gatehouse): Promise<void> {
  let status = 0
  for (let i = 0; i < 100 && status !== 200; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100))
    status = (await fetch(`${proxy.url}/ready`)).status
  }
  assert.equal(status, 200, `${proxy.url} ready`)
}

describe('cookie sessions with the revocation list in Redis, several replicas', () => {
  let redis: RedisServer
  let stack: RedisStack
  let replica: Gatehouse
  before(async () => {
    redis = await startRedis()
    stack = await startRedisStack([`--redis-connection-url=${redis.url}`], [], { sessions: 'cookie' })
    stack.idp.setBackchannelLogout('gatehouse', `${stack.proxy.url}/oauth2/backchannel_logout`)
    replica = await stack.startReplica()
    await untilReady(stack.proxy)
    await untilReady(replica)
  })
  after(async () => {
    stack?.idp.setBackchannelLogout('gatehouse', undefined)
    await stack?.close()
    await redis?.stop()
  })

  const status = async (client: HttpClient, proxy: Gatehouse): Promise<number> => (await getWith(client, stack, proxy, '/oauth2/auth')).status

  /** The status `proxy` answers the client's cookie with once it is 401, or after 100 ms (ten tries 10 ms apart). */
  async function refusedWithin100ms(client: HttpClient, proxy: Gatehouse): Promise<number> {
    let last = 0
    for (let i = 0; i < 10 && last !== 401; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 10))
      last = await status(client, proxy)
    }
    return last
  }

  it('refuses an IdP session ended through one replica on the other, and keeps the session in the cookie', async () => {
    const { client } = await stack.signIn('alice')
    const other = await stack.signIn('alice')
    assert.deepEqual([await status(client, stack.proxy), await status(client, replica)], [202, 202])
    // The cookie store writes no session to Redis: only the revocation list lives there.
    assert.equal(await redisCli(redis.port, 'exists', LOG_KEY), '0')
    await signOutAtIdp(client, stack.idp.issuer)
    assert.equal(await status(client, stack.proxy), 401, 'the replica that received the logout')
    assert.equal(await refusedWithin100ms(client, replica), 401, 'the other replica, through Redis\'s invalidation push')
    assert.deepEqual([await status(other.client, stack.proxy), await status(other.client, replica)], [202, 202], 'another IdP session of the same user')
    assert.equal(await redisCli(redis.port, 'zcard', LOG_KEY), '1')
    const ttl = Number(await redisCli(redis.port, 'pttl', LOG_KEY))
    assert.ok(ttl > 0 && ttl <= 168 * 3600 * 1000, `the list is kept for the cookie lifetime, not for ever (pttl ${ttl})`)
    await stack.proxy.waitForLog(/"event":"session\.backchannel_logout\.done"/)
  })

  it('signs a user out everywhere from one replica, seen by a replica without client tracking and by one started later', async () => {
    const polling = await stack.startReplica(['--redis-client-side-cache=false'])
    await untilReady(polling)
    const phone = await stack.signIn('bob')
    const laptop = await stack.signIn('bob')
    const alice = await stack.signIn('alice')
    assert.equal(await status(phone.client, polling), 202)
    assert.equal((await getWith(laptop.client, stack, replica, '/oauth2/sign_out?scope=all')).status, 302)
    assert.equal(await refusedWithin100ms(phone.client, stack.proxy), 401)
    assert.equal(await refusedWithin100ms(phone.client, polling), 401, 'the replica that polls the list')
    assert.equal(await status(alice.client, polling), 202)
    const later = await stack.startReplica()
    await untilReady(later)
    assert.equal(await status(phone.client, later), 401, 'a replica started after the revocation reads it at start')
    assert.equal(await status(alice.client, later), 202)
    // Bob signs in again after the sign-out (in a later second: sign-in times are kept to the second, and a sign-in
    // in the second of the sign-out counts as before it): the new session is not covered by it.
    await new Promise((r) => setTimeout(r, 1010 - (Date.now() % 1000)))
    const again = await stack.signIn('bob')
    assert.deepEqual([await status(again.client, replica), await status(again.client, polling), await status(again.client, later)], [202, 202, 202])
  })

  it('answers a logout 503 while Redis is down, refuses signed-in requests with 503 and a request id, and recovers', async () => {
    const { client } = await stack.signIn('alice')
    const bob = await stack.signIn('bob')
    assert.equal(await status(client, replica), 202)
    await redis.stop()
    try {
      // Until the replica sees the connection drop, its copy of the list is still the last one Redis pushed.
      await replica.waitForLog('session.redis.error')
      const down = await getWith(client, stack, replica, '/during')
      assert.equal(down.status, 503)
      assert.ok(down.json<{ requestId?: string }>().requestId, 'the 503 names the request id')
      assert.equal((await stack.client().get(`${replica.url}/ready`)).status, 500)
      assert.equal((await stack.client().get(`${replica.url}/ping`)).status, 200)
      const out = await getWith(bob.client, stack, replica, '/oauth2/sign_out?scope=all')
      assert.equal(out.status, 503, 'a sign-out everywhere that Redis did not record is not reported done')
    } finally {
      await redis.start()
    }
    await untilReady(replica)
    assert.equal(await status(client, replica), 202, 'the cookie session works again')
  })
})
