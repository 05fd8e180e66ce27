// SIGTERM stops the real process whatever state Redis is in: stopped after a connection, never reachable, a wrong
// password, and Sentinel or Cluster with every node stopped. The only bound asserted is the drain timeout: the
// process must exit on its own (code 0) before the test would have to kill it.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { startEchoApp, type EchoApp } from '../../src/dev/echo-app.js'
import { freePort, startGatehouse, type Gatehouse } from '../helpers/process.js'
import { freeRedisPort, startRedis, startRedisCluster, startSentinelSet } from '../helpers/redis.js'

/** main.ts cuts connections after 25 s of draining; the process must be gone before that. */
const DRAIN_TIMEOUT_MS = 25_000

describe('SIGTERM with Redis unusable', () => {
  let echo: EchoApp
  let idpPort: number
  const proxies: Gatehouse[] = []
  before(async () => {
    ;[echo, idpPort] = await Promise.all([startEchoApp(), freePort()])
  })
  after(async () => {
    await Promise.allSettled(proxies.map((p) => p.stop('SIGKILL')))
    await echo?.close()
  })

  async function start(redisArgs: string[]): Promise<Gatehouse> {
    const proxy = await startGatehouse({
      args: [
        '--provider=oidc',
        // No IdP: discovery fails with a warning; nothing here needs a sign-in.
        `--oidc-issuer-url=http://127.0.0.1:${idpPort}/`,
        '--client-id=gatehouse',
        '--client-secret=gatehouse-secret',
        `--cookie-secret=${randomBytes(32).toString('base64url')}`,
        '--email-domain=*',
        `--upstream=${echo.url}/`,
        '--session-store-type=redis',
        ...redisArgs,
      ],
      // The test kills the process only after the drain timeout: an exit code of null means it hung.
      stopTimeoutMs: DRAIN_TIMEOUT_MS,
    })
    proxies.push(proxy)
    return proxy
  }

  async function assertStops(proxy: Gatehouse): Promise<void> {
    const code = await proxy.stop('SIGTERM')
    assert.equal(code, 0, `gatehouse must exit by itself before the drain timeout:\n${proxy.logs().slice(-2000)}`)
    assert.match(proxy.logs(), /server\.stopped/)
  }

  it('stops with standalone Redis stopped after it was connected', async () => {
    const redis = await startRedis()
    const proxy = await start([`--redis-connection-url=${redis.url}`])
    await proxy.waitForLog('session.redis.connected', 10_000)
    await redis.stop()
    await proxy.waitForLog('session.redis.error', 10_000)
    await assertStops(proxy)
  })

  it('stops with standalone Redis never reachable', async () => {
    const proxy = await start([`--redis-connection-url=redis://127.0.0.1:${await freeRedisPort()}`])
    await proxy.waitForLog('session.redis.error', 10_000)
    await assertStops(proxy)
  })

  it('stops with a wrong Redis password', async () => {
    const redis = await startRedis({ extra: ['--requirepass', 'the-password'], cliArgs: ['-a', 'the-password', '--no-auth-warning'] })
    try {
      const proxy = await start([`--redis-connection-url=${redis.url}`, '--redis-password=not-the-password'])
      await proxy.waitForLog('session.redis.error', 10_000)
      await assertStops(proxy)
    } finally {
      await redis.stop()
    }
  })

  it('stops with every Sentinel node stopped', async () => {
    const set = await startSentinelSet()
    let proxy: Gatehouse
    try {
      proxy = await start(['--redis-use-sentinel', `--redis-sentinel-master-name=${set.masterName}`, `--redis-sentinel-connection-urls=${set.sentinelUrls.join(',')}`])
      await proxy.waitForLog('session.redis.connected', 10_000)
    } finally {
      await set.stop()
    }
    await proxy.waitForLog('session.redis.error', 10_000)
    await assertStops(proxy)
  })

  it('stops with no Sentinel ever reachable', async () => {
    const proxy = await start(['--redis-use-sentinel', '--redis-sentinel-master-name=mymaster', `--redis-sentinel-connection-urls=redis://127.0.0.1:${await freeRedisPort()}`])
    await proxy.waitForLog('session.redis.error', 10_000)
    await assertStops(proxy)
  })

  it('stops with no Cluster node ever reachable', async () => {
    const proxy = await start(['--redis-use-cluster', `--redis-cluster-connection-urls=redis://127.0.0.1:${await freeRedisPort()}`])
    await proxy.waitForLog('session.redis.error', 10_000)
    await assertStops(proxy)
  })

  it('stops with every Cluster node stopped', async () => {
    const redisCluster = await startRedisCluster()
    let proxy: Gatehouse
    try {
      proxy = await start(['--redis-use-cluster', `--redis-cluster-connection-urls=${redisCluster.urls.join(',')}`])
      await proxy.waitForLog('session.redis.connected', 10_000)
    } finally {
      await redisCluster.stop()
    }
    await proxy.waitForLog('session.redis.error', 10_000)
    await assertStops(proxy)
  })
})
