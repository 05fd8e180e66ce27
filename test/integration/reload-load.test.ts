// Reload under load: 20 reloads, alternating a valid configuration (switching the upstream between two echo apps,
// so the old upstream's connection pool is closed under traffic) and an invalid one, while a bounded loop of
// signed-in requests runs. Sessions live in Redis, so each request awaits the store while a reload may swap the
// runtime under it. Not one request may fail, and the session opens after the last reload as before the first.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { request } from 'undici'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { sighup, startCfgStack, type CfgStack } from '../helpers/reload.js'

const RELOADS = 20
const LOOPS = 4
/** Upper bound on the requests of the whole run, so the loop ends even if reloads stall. */
const MAX_REQUESTS = 40_000

describe('reload under load', () => {
  let s: CfgStack
  let second: EchoApp
  let redis: RedisServer
  let cookie: string

  before(async () => {
    ;[second, redis] = await Promise.all([startEchoApp(), startRedis()])
    // The Host the upstream sees is its own (not the client's), so each answer says which echo app served it.
    s = await startCfgStack({ cfg: { pass_host_header: false, session_store_type: 'redis', redis_connection_url: redis.url } })
    const { client, result } = await s.stack.signIn('alice')
    assert.equal(result.status, 302)
    cookie = client.jar.header(s.stack.proxy.url) ?? ''
    assert.notEqual(cookie, '')
  })
  after(async () => {
    await s.close()
    await Promise.all([second.close(), redis.stop()])
  })

  async function get(path: string): Promise<{ status: number; echo?: EchoReply }> {
    const res = await request(`${s.stack.proxy.url}${path}`, { headers: { cookie, accept: 'application/json' } })
    const text = await res.body.text()
    return { status: res.statusCode, ...(res.statusCode === 200 ? { echo: JSON.parse(text) as EchoReply } : {}) }
  }

  it(`serves every request through ${RELOADS} reloads, good and bad, and keeps the session`, async () => {
    let sent = 0
    let done = false
    const failures: string[] = []
    const loop = async (n: number): Promise<void> => {
      while (!done && sent < MAX_REQUESTS) {
        sent++
        try {
          const r = await get(`/load/${n}/${sent}`)
          if (r.status !== 200 || r.echo?.headers['x-forwarded-email'] !== 'alice@example.com') failures.push(`status ${r.status}`)
        } catch (err) {
          failures.push((err as Error).message)
        }
      }
    }
    const loops = Array.from({ length: LOOPS }, (_, n) => loop(n))

    const upstreams = [s.base.upstreams as readonly string[], [`${second.url}/`]]
    let expectedHost = new URL(upstreams[0]?.[0] ?? '').host
    const outcomes: string[] = []
    for (let i = 0; i < RELOADS; i++) {
      const good = i % 2 === 0
      if (good) {
        const target = upstreams[(i / 2) % 2 === 0 ? 1 : 0] ?? []
        expectedHost = new URL(target[0] ?? '').host
        s.write({ upstreams: target, set_xauthrequest: i % 4 === 0 })
      } else if (i % 4 === 1) {
        s.write({ upstreams: ['http://['] })
      } else {
        s.write({ cookie_refresh: 'later' })
      }
      const [line] = await sighup(s.stack.proxy)
      outcomes.push(line?.outcome ?? 'none')
      // Let traffic run on the configuration now in force before the next reload (bounded).
      const mark = sent
      for (let w = 0; w < 200 && sent < mark + 20 && sent < MAX_REQUESTS; w++) await new Promise((r) => setTimeout(r, 10))
    }
    done = true
    await Promise.all(loops)

    assert.deepEqual(outcomes, Array.from({ length: RELOADS }, (_, i) => (i % 2 === 0 ? 'ok' : 'refused')))
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${sent} requests failed`)
    assert.ok(sent >= RELOADS * 20, `only ${sent} requests ran`)
    const last = await get('/after')
    assert.equal(last.status, 200, 'the session is still valid')
    assert.equal(last.echo?.headers.host, expectedHost, 'the last good configuration is the one in force')
    assert.doesNotMatch(s.stack.proxy.logs(), /"event":"http\.error"/)
  })
})
