// No access line is lost when gatehouse stops: through the real process, 2,000 signed-in requests over kept-alive
// connections, then SIGTERM while idle or while requests are still in flight (held by the upstream until the drain
// has begun, with more requests arriving meanwhile); every response the client received has exactly one http.request
// line, and every process's last line (server.stopped) is there. To stdout and to --logging-filename, with one
// process and with --workers 2.
import { strict as assert } from 'node:assert'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Pool } from 'undici'
import { listenOnLoopback, type LoopbackServer } from '../helpers/loopback-server.js'
import { startStack } from '../helpers/stack.js'

const REQUESTS = 2000
const HELD = 20
/** Requests sent after SIGTERM, at most, on the connections that stay open. */
const AFTER_SIGTERM = 2000

interface Line {
  event?: string
  uri?: string
  pid?: number
}

/** An upstream under /hold/ that answers nothing until `release()`, and counts what has arrived. */
async function startHoldingUpstream(): Promise<LoopbackServer & { arrived(): number; release(): void }> {
  const waiting: ServerResponse[] = []
  let arrived = 0
  let released = false
  const answer = (res: ServerResponse): void => void res.writeHead(200, { 'content-type': 'text/plain' }).end('held\n')
  const server = createServer((req, res) => {
    arrived++
    req.resume()
    if (released) answer(res)
    else waiting.push(res)
  })
  const listening = await listenOnLoopback(server)
  return {
    ...listening,
    arrived: () => arrived,
    release() {
      released = true
      for (const res of waiting.splice(0)) answer(res)
    },
  }
}

/** Resolves with the exit code once the process has ended, without signalling it again. */
function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode)
  return new Promise((resolve) => proc.once('close', (code) => resolve(code)))
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await ok()) return
    await new Promise((r) => setTimeout(r, 25))
  }
  assert.fail(`timed out waiting for ${what}`)
}

function parse(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line)
}

/** GETs `paths` over `pool` (kept-alive connections), `width` at a time; the paths that got a response. */
async function getAll(pool: Pool, cookie: string, paths: string[], width: number): Promise<string[]> {
  const answered: string[] = []
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++] ?? ''
      const res = await pool.request({ path, method: 'GET', headers: { cookie } })
      await res.body.dump()
      answered.push(path)
    }
  }
  await Promise.all(Array.from({ length: width }, lane))
  return answered
}

/** GETs one path after another until a request fails (the connections close as the drain ends) or `max` are sent. */
async function getUntilRefused(pool: Pool, cookie: string, prefix: string, max: number): Promise<string[]> {
  const answered: string[] = []
  for (let i = 0; i < max; i++) {
    const path = `${prefix}${i}`
    try {
      const res = await pool.request({ path, method: 'GET', headers: { cookie } })
      await res.body.dump()
      answered.push(path)
    } catch {
      break
    }
  }
  return answered
}

async function stopAndCount(options: { workers: boolean; toFile: boolean; inFlight: boolean }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-accesslog-'))
  const file = join(dir, 'gatehouse.log')
  const hold = await startHoldingUpstream()
  const args = [`--upstream=${hold.origin}/hold/`]
  if (options.workers) args.push('--workers=2')
  if (options.toFile) args.push(`--logging-filename=${file}`)
  const stack = await startStack({ args })
  // stdout alone (the helper's logs() interleave stderr's chunks with it), from here on: the lines counted come later.
  let stdout = ''
  stack.proxy.proc.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  const output = async (): Promise<Line[]> => parse(options.toFile ? await readFile(file, 'utf8').catch(() => '') : stdout)
  const pool = new Pool(stack.proxy.url, { connections: 8 })
  const heldPool = new Pool(stack.proxy.url, { connections: HELD })
  try {
    const listening = async (): Promise<number> => parse(options.toFile ? await readFile(file, 'utf8').catch(() => '') : stack.proxy.logs()).filter((l) => l.event === 'cluster.worker.listening').length
    if (options.workers) await waitFor('two workers listening', async () => (await listening()) === 2)
    const { client, result } = await stack.signIn('alice')
    assert.equal(result.status, 302)
    const cookie = client.jar.header(stack.proxy.url) ?? ''
    const answered = await getAll(pool, cookie, Array.from({ length: REQUESTS }, (_, i) => `/n/${i}`), 8)
    assert.equal(answered.length, REQUESTS)
    const pid = stack.proxy.proc.pid ?? 0
    if (!options.inFlight) {
      process.kill(pid, 'SIGTERM')
    } else {
      const held = getAll(heldPool, cookie, Array.from({ length: HELD }, (_, i) => `/hold/${i}`), HELD)
      await waitFor('the held requests at the upstream', () => hold.arrived() === HELD)
      const more = getUntilRefused(pool, cookie, '/after/', AFTER_SIGTERM)
      process.kill(pid, 'SIGTERM')
      // Every process says it is draining (the primary and both workers, or the one process) before the upstream answers.
      await waitFor('the drain', async () => (await output()).filter((l) => l.event === 'server.stopping').length === (options.workers ? 3 : 1))
      hold.release()
      const heldAnswered = await held
      assert.equal(heldAnswered.length, HELD, 'every request in flight at SIGTERM is answered')
      answered.push(...heldAnswered, ...(await more))
    }
    assert.equal(await exited(stack.proxy.proc), 0)
    const lines = await output()
    const logged = new Map<string, number>()
    for (const l of lines) if (l.event === 'http.request' && l.uri !== undefined) logged.set(l.uri, (logged.get(l.uri) ?? 0) + 1)
    const missing = answered.filter((path) => logged.get(path) !== 1)
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} of ${answered.length} answered requests without exactly one access line`)
    const stopped = lines.filter((l) => l.event === 'server.stopped')
    assert.equal(stopped.length, options.workers ? 3 : 1, 'every process logs server.stopped as its last line')
  } finally {
    await Promise.allSettled([pool.destroy(), heldPool.destroy()])
    await stack.close()
    await hold.close()
    await rm(dir, { recursive: true, force: true })
  }
}

describe('no access line lost at shutdown', () => {
  it('one process, stdout: SIGTERM while idle', () => stopAndCount({ workers: false, toFile: false, inFlight: false }))
  it('one process, stdout: SIGTERM with requests in flight', () => stopAndCount({ workers: false, toFile: false, inFlight: true }))
  it('one process, --logging-filename: SIGTERM with requests in flight', () => stopAndCount({ workers: false, toFile: true, inFlight: true }))
  it('--workers 2, stdout: SIGTERM while idle', () => stopAndCount({ workers: true, toFile: false, inFlight: false }))
  it('--workers 2, stdout: SIGTERM with requests in flight', () => stopAndCount({ workers: true, toFile: false, inFlight: true }))
  it('--workers 2, --logging-filename: SIGTERM with requests in flight', () => stopAndCount({ workers: true, toFile: true, inFlight: true }))
})
