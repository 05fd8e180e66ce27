// Redis through Sentinel (one master, one replica, three sentinels): sessions survive a SENTINEL FAILOVER made
// under traffic, requests after the failover succeed, and new sign-ins land on the new master.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { redisCli, startSentinelSet, type SentinelSet } from '../helpers/redis.js'
import { getWith, startRedisStack, type RedisStack } from '../helpers/redis-stack.js'

describe('Redis Sentinel failover', () => {
  let sentinel: SentinelSet
  let stack: RedisStack
  before(async () => {
    sentinel = await startSentinelSet()
    stack = await startRedisStack(['--redis-use-sentinel', `--redis-sentinel-master-name=${sentinel.masterName}`, `--redis-sentinel-connection-urls=${sentinel.sentinelUrls.join(',')}`])
  })
  after(async () => {
    await stack?.close()
    await sentinel?.stop()
  })

  it('keeps sessions through a failover under traffic', async () => {
    const { client } = await stack.signIn('alice')
    assert.equal((await getWith(client, stack, stack.proxy, '/before')).status, 200)
    const oldMaster = await sentinel.masterPort()
    // Wait until the replica holds the session, so the failover cannot lose it.
    await redisCli(oldMaster, 'wait', '1', '5000')

    let stop = false
    const statuses: number[] = []
    const traffic = (async () => {
      while (!stop) statuses.push((await getWith(client, stack, stack.proxy, '/during')).status)
    })()
    await sentinel.failover()
    // Keep the traffic going a little past the switch, then stop it (bounded by the loop's own requests).
    const seen = statuses.length
    while (statuses.length < seen + 5) await new Promise((r) => setTimeout(r, 50))
    stop = true
    await traffic

    const newMaster = await sentinel.masterPort()
    assert.notEqual(newMaster, oldMaster)
    assert.ok(statuses.every((s) => s === 200 || s === 503), `only successes or bounded 503s during the switch: ${[...new Set(statuses)].join(',')}`)
    const after = await getWith(client, stack, stack.proxy, '/after')
    assert.equal(after.status, 200, 'the session survived the failover')
    assert.equal(after.json<{ headers: Record<string, string> }>().headers['x-forwarded-email'], 'alice@example.com')

    const { client: bob } = await stack.signIn('bob')
    assert.equal((await getWith(bob, stack, stack.proxy, '/new')).status, 200)
    assert.notEqual(await redisCli(newMaster, 'dbsize'), '0')
    assert.match(await redisCli(newMaster, 'info', 'replication'), /role:master/)
  })
})
