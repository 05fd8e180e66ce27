// --workers through the real process: N processes behind one port answer signed-in requests (seen from the pid each
// worker's access log lines carry), the primary's /metrics sums every worker's counters, a killed worker is replaced,
// SIGHUP makes every worker reopen the log file, and SIGTERM drains every worker before the primary exits 0.
import { strict as assert } from 'node:assert'
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { request } from 'undici'
import { freePort } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { lines, liveWorkers, waitFor, type Line } from '../helpers/workers.js'

/** The sum of gatehouse_http_requests_total{route="proxy",status_class="2xx"} in the primary's scrape. */
async function proxied2xx(metricsUrl: string): Promise<number> {
  const res = await request(metricsUrl)
  assert.equal(res.statusCode, 200)
  const family = parsePrometheusTextFormat(await res.body.text()).find((f) => f.name === 'gatehouse_http_requests_total')
  const sample = family?.metrics.find((m) => 'labels' in m && m.labels?.['route'] === 'proxy' && m.labels?.['status_class'] === '2xx')
  return sample !== undefined && 'value' in sample ? Number(sample.value) : 0
}

describe('--workers 2', () => {
  let stack: Stack
  let metricsUrl: string
  let cookie: string

  before(async () => {
    const metricsPort = await freePort()
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    stack = await startStack({ args: ['--workers=2', `--metrics-address=127.0.0.1:${metricsPort}`] })
    await waitFor('two workers listening', () => liveWorkers(stack).size === 2)
    const { client, result } = await stack.signIn('alice')
    assert.equal(result.status, 302)
    cookie = client.jar.header(stack.proxy.url) ?? ''
    assert.notEqual(cookie, '')
  })

  after(() => stack.close())

  /** A signed-in GET on its own connection (the primary hands connections to the workers in turn). */
  async function get(path: string): Promise<number> {
    const res = await request(`${stack.proxy.url}${path}`, { headers: { cookie }, reset: true })
    const text = await res.body.text()
    if (res.statusCode === 200) assert.match(text, /alice@example\.com/)
    return res.statusCode
  }

  it('answers signed-in requests from two different worker processes, and the scrape sums both', async () => {
    const before = await proxied2xx(metricsUrl)
    for (let i = 0; i < 8; i++) assert.equal(await get(`/spread-${i}`), 200)
    const servedBy = (): Set<number> => new Set(lines(stack).filter((l) => l.event === 'http.request' && l.uri?.startsWith('/spread-')).map((l) => l.pid ?? 0))
    await waitFor('eight access-log lines', () => lines(stack).filter((l) => l.event === 'http.request' && l.uri?.startsWith('/spread-')).length === 8)
    const pids = servedBy()
    assert.equal(pids.size, 2, `served by ${[...pids].join(', ')}`)
    assert.deepEqual([...pids].sort(), [...liveWorkers(stack)].sort())
    assert.ok(!pids.has(stack.proxy.proc.pid ?? -1), 'the primary serves no requests')
    assert.equal((await proxied2xx(metricsUrl)) - before, 8)
  })

  it('replaces a killed worker and keeps serving', async () => {
    const [victim] = [...liveWorkers(stack)]
    assert.ok(victim !== undefined)
    process.kill(victim, 'SIGKILL')
    await waitFor('the replacement worker', () => {
      const live = liveWorkers(stack)
      return live.size === 2 && !live.has(victim)
    })
    for (let i = 0; i < 4; i++) assert.equal(await get(`/after-kill-${i}`), 200)
  })

  it('drains every worker on SIGTERM and exits 0', async () => {
    const workers = liveWorkers(stack)
    const code = await stack.proxy.stop('SIGTERM')
    assert.equal(code, 0)
    const stopped = new Set(lines(stack).filter((l) => l.event === 'server.stopped').map((l) => l.pid))
    for (const pid of workers) assert.ok(stopped.has(pid), `worker ${pid} logged no server.stopped`)
    assert.ok(stopped.has(stack.proxy.proc.pid), 'the primary logged no server.stopped')
  })
})

describe('--workers 2 with --logging-filename', () => {
  let stack: Stack
  let dir: string
  let file: string

  const fileLines = async (path: string): Promise<Line[]> =>
    (await readFile(path, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line)

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-workers-'))
    file = join(dir, 'gatehouse.log')
    stack = await startStack({ args: ['--workers=2', `--logging-filename=${file}`, '--skip-auth-route=^/open/'] })
    const listening = async (): Promise<number> => (await fileLines(file)).filter((l) => l.event === 'cluster.worker.listening').length
    for (let i = 0; i < 600 && (await listening()) < 2; i++) await new Promise((r) => setTimeout(r, 50))
    assert.equal(await listening(), 2)
  })

  after(async () => {
    await stack.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('reopens the log file in every worker on SIGHUP to the primary', async () => {
    await rename(file, `${file}.1`)
    stack.proxy.proc.kill('SIGHUP')
    // Each process reopens the path when its SIGHUP arrives; a line written after that lands in the new file.
    let served = new Set<number>()
    for (let i = 0; i < 100 && served.size < 2; i++) {
      const res = await request(`${stack.proxy.url}/open/${i}`, { reset: true })
      await res.body.dump()
      served = new Set((await fileLines(file)).filter((l) => l.event === 'http.request').map((l) => l.pid ?? 0))
      if (served.size < 2) await new Promise((r) => setTimeout(r, 50))
    }
    assert.equal(served.size, 2, 'both workers write to the reopened file')
    assert.equal(stack.proxy.proc.exitCode, null, 'SIGHUP does not end the primary')
  })
})
