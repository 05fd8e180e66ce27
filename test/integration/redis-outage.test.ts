// A Redis outage through the real process: while Redis is down, requests that need a session get a 503 with a
// request id (no hang, no crash) and /ready says so; once Redis is back, service resumes by itself and the
// sessions Redis persisted (append-only file) still work.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { getWith, startRedisStack, type RedisStack } from '../helpers/redis-stack.js'

/** Bound on any single request here: a hang fails the test instead of stalling it. */
const REQUEST_BOUND_MS = 15_000

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('Redis outage', () => {
  let redis: RedisServer
  let stack: RedisStack
  before(async () => {
    redis = await startRedis({ persist: true })
    stack = await startRedisStack([`--redis-connection-url=${redis.url}`])
  })
  after(async () => {
    await stack?.close()
    await redis?.stop()
  })

  it('answers 503 with a request id while Redis is down, then serves the same session again once it is back', async () => {
    const { client } = await stack.signIn('alice')
    assert.equal((await getWith(client, stack, stack.proxy, '/before')).status, 200)

    await redis.stop()
    // Sessions read before are served from memory (--redis-client-side-cache) until the proxy sees the connection
    // drop, which also drops that memory: from then on every request needs Redis.
    await stack.proxy.waitForLog('session.redis.error')
    const down = await Promise.race([
      getWith(client, stack, stack.proxy, '/during'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the request hung while Redis was down')), REQUEST_BOUND_MS)),
    ])
    assert.equal(down.status, 503)
    const body = down.json<{ requestId?: string; error?: string }>()
    assert.ok(body.requestId, 'the 503 names the request id')
    assert.doesNotMatch(down.body, /redis|ECONNREFUSED/i, 'no internal detail reaches the client')
    const auth = await getWith(client, stack, stack.proxy, '/oauth2/auth')
    assert.equal(auth.status, 503, '/oauth2/auth fails closed, never 202')
    assert.equal((await stack.client().get(`${stack.proxy.url}/ready`)).status, 500)
    assert.equal((await stack.client().get(`${stack.proxy.url}/ping`)).status, 200, 'the process is alive')
    await stack.proxy.waitForLog('ERR_SESSION_STORE_UNAVAILABLE')
    const lines = stack.proxy.logs().split('\n').filter((l) => l.includes(body.requestId as string))
    assert.equal(lines.filter((l) => l.includes('"http.error"')).length, 1, 'one error line for the failed request')
    assert.equal(stack.proxy.proc.exitCode, null)

    await redis.start()
    await waitUntil('/ready after Redis is back', async () => (await stack.client().get(`${stack.proxy.url}/ready`)).status === 200)
    const back = await getWith(client, stack, stack.proxy, '/after')
    assert.equal(back.status, 200, 'the session survived the outage')
    assert.equal(back.json<{ headers: Record<string, string> }>().headers['x-forwarded-email'], 'alice@example.com')
  })
})
