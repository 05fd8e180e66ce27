// `node --import tsx bench/redis-ha.ts`: numbers for docs/redis-sessions.md, from one bounded run on this machine.
// 1. /oauth2/auth throughput (wrk) with a cookie session, and with a Redis session on one and on two replicas.
// 2. A Sentinel failover under a request loop: how many requests failed and the longest gap without a 2xx.
// 3. A Redis restart (append-only file): time from restart until the same session is served again.
import { startRedis, startSentinelSet } from '../test/helpers/redis.js'
import { getWith, startRedisStack } from '../test/helpers/redis-stack.js'
import { startStack } from '../test/helpers/stack.js'
import { runWrk, type WrkResult } from './wrk.js'

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5)
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 20)

function line(name: string, r: WrkResult): string {
  return `| ${name} | ${Math.round(r.requestsPerSec)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} |`
}

async function throughput(): Promise<string[]> {
  const out = ['| /oauth2/auth with | req/s | p50 ms | p99 ms | errors |', '|---|---:|---:|---:|---:|']
  const cookie = await startStack()
  try {
    const { client } = await cookie.signIn('alice')
    const headers = { cookie: client.jar.header(cookie.proxy.url) ?? '' }
    out.push(line('cookie session, 1 replica', await runWrk({ url: `${cookie.proxy.url}/oauth2/auth`, seconds: SECONDS, connections: CONNECTIONS, threads: 1, headers })))
  } finally {
    await cookie.close()
  }
  const redis = await startRedis()
  const stack = await startRedisStack([`--redis-connection-url=${redis.url}`])
  try {
    const replica = await stack.startReplica()
    const { client } = await stack.signIn('alice')
    const headers = { cookie: client.jar.header(stack.proxy.url) ?? '' }
    out.push(line('Redis session, 1 replica', await runWrk({ url: `${stack.proxy.url}/oauth2/auth`, seconds: SECONDS, connections: CONNECTIONS, threads: 1, headers })))
    const both = await Promise.all([stack.proxy, replica].map((p) => runWrk({ url: `${p.url}/oauth2/auth`, seconds: SECONDS, connections: CONNECTIONS / 2, threads: 1, headers })))
    const [a, b] = both as [WrkResult, WrkResult]
    out.push(line('Redis session, 2 replicas (sum; p50/p99 of #1)', { ...a, requestsPerSec: a.requestsPerSec + b.requestsPerSec, errors: a.errors + b.errors }))
  } finally {
    await stack.close()
    await redis.stop()
  }
  return out
}

async function failover(): Promise<string> {
  const sentinel = await startSentinelSet()
  const stack = await startRedisStack(['--redis-use-sentinel', `--redis-sentinel-master-name=${sentinel.masterName}`, `--redis-sentinel-connection-urls=${sentinel.sentinelUrls.join(',')}`])
  try {
    const { client } = await stack.signIn('alice')
    let stop = false
    let ok = 0
    let failed = 0
    let lastOk = Date.now()
    let longestGap = 0
    const loop = (async () => {
      while (!stop) {
        const res = await getWith(client, stack, stack.proxy, '/oauth2/auth')
        const now = Date.now()
        if (res.status === 202) {
          longestGap = Math.max(longestGap, now - lastOk)
          lastOk = now
          ok++
        } else failed++
      }
    })()
    await new Promise((r) => setTimeout(r, 1000))
    const started = Date.now()
    await sentinel.failover()
    const switched = Date.now() - started
    await new Promise((r) => setTimeout(r, 2000))
    stop = true
    await loop
    const after = await getWith(client, stack, stack.proxy, '/oauth2/auth')
    return `Sentinel failover under a sequential request loop: ${ok} answered 202, ${failed} failed; longest gap between two 202s ${longestGap} ms; sentinels reported the new master ${switched} ms after SENTINEL FAILOVER; session after the failover: ${after.status}.`
  } finally {
    await stack.close()
    await sentinel.stop()
  }
}

async function restart(): Promise<string> {
  const redis = await startRedis({ persist: true })
  const stack = await startRedisStack([`--redis-connection-url=${redis.url}`])
  try {
    const { client } = await stack.signIn('alice')
    await redis.stop()
    const down = await getWith(client, stack, stack.proxy, '/oauth2/auth')
    const started = Date.now()
    await redis.start()
    const serverUp = Date.now() - started
    const until = Date.now() + 30_000
    let status = 0
    while (Date.now() < until) {
      status = (await getWith(client, stack, stack.proxy, '/oauth2/auth')).status
      if (status === 202) break
      await new Promise((r) => setTimeout(r, 50))
    }
    return `Redis restart with an append-only file: ${down.status} while down; redis-server answered PING ${serverUp} ms after start; the same session was served (${status}) ${Date.now() - started} ms after the restart began.`
  } finally {
    await stack.close()
    await redis.stop()
  }
}

const results = [...(await throughput()), '', await failover(), '', await restart()]
process.stdout.write(`${results.join('\n')}\n`)
process.exit(0)
