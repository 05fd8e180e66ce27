// Redis Cluster (three masters): sessions of many sign-ins spread over the slots of several nodes, each one
// works through the proxy, and a sign-out deletes its key on whichever node holds it.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { HttpClient } from '../helpers/http.js'
import { redisCli, startRedisCluster, type RedisCluster } from '../helpers/redis.js'
import { getWith, startRedisStack, type RedisStack } from '../helpers/redis-stack.js'

describe('Redis Cluster sessions', () => {
  let cluster: RedisCluster
  let stack: RedisStack
  before(async () => {
    cluster = await startRedisCluster()
    stack = await startRedisStack(['--redis-use-cluster', `--redis-cluster-connection-urls=${cluster.urls.join(',')}`])
  })
  after(async () => {
    await stack?.close()
    await cluster?.stop()
  })

  /** Session keys on one node (`<cookie name>-<32 hex>`), leaving out the session index's `-gh-` keys. */
  async function sessionKeys(port: number): Promise<number> {
    const keys = (await redisCli(port, 'keys', '_oauth2_proxy-*')).split('\n')
    return keys.filter((k) => /^_oauth2_proxy-[0-9a-f]{32}$/.test(k)).length
  }

  it('spreads sessions across slots on several nodes, and each one works and signs out', async () => {
    const clients: HttpClient[] = []
    for (let i = 0; i < 8; i++) clients.push((await stack.signIn(i % 2 === 0 ? 'alice' : 'bob')).client)
    const counts = await Promise.all(cluster.ports.map(sessionKeys))
    assert.equal(counts.reduce((a, b) => a + b, 0), 8, `one key per session: ${counts.join(',')}`)
    assert.ok(counts.filter((n) => n > 0).length >= 2, `keys on at least two nodes: ${counts.join(',')}`)
    for (const [i, client] of clients.entries()) {
      const res = await getWith(client, stack, stack.proxy, `/cluster-${i}`)
      assert.equal(res.status, 200)
      assert.equal(res.json<{ headers: Record<string, string> }>().headers['x-forwarded-email'], i % 2 === 0 ? 'alice@example.com' : 'bob@example.com')
    }
    for (const client of clients) assert.equal((await getWith(client, stack, stack.proxy, '/oauth2/sign_out')).status, 302)
    const left = await Promise.all(cluster.ports.map(sessionKeys))
    assert.deepEqual(left, [0, 0, 0], 'every session key is deleted')
    assert.equal((await stack.client().get(`${stack.proxy.url}/ready`)).status, 200)
  })
})
