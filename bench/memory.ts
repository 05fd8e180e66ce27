// `npm run bench:memory`: gatehouse's resident memory at rest, over a million proxied requests with one cookie session,
// and over ten thousand distinct cookie sessions, each sent again and again. The sessions are the signed-in user's
// real session re-sealed with the bench's cookie secret under 10,000 other users' names (each a cookie gatehouse
// accepts, as it would have written it), cycled through by a wrk Lua script. Bounded: runs of BENCH_MEMORY_STEP_SECONDS
// (default 30) until the count is reached, at most BENCH_MEMORY_MAX_STEPS (default 12) of them; then 3 passes over the
// sessions, each long enough at the measured rate to send every one of them at least once.
// BENCH_MEMORY_ENTRY runs another build's main.js; BENCH_MEMORY_NODE_ARGS adds Node flags (space-separated);
// BENCH_MEMORY_SNAPSHOTS=dir writes a V8 heap snapshot there at rest after sign-in and at rest after the last pass
// (taken after the memory is read; read them with bench/heap-summary.ts).
import { mkdirSync, mkdtempSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseCookie } from 'cookie'
import { cookieSecretKeys } from '../src/crypto/cookie-secret.js'
import { openSignedValue, signValue } from '../src/crypto/signed-value.js'
import { openCookieSession, sealCookieSession } from '../src/session/session-codec.js'
import { freePort } from '../test/helpers/process.js'
import { startBenchGatehouse } from './gatehouse.js'
import { BENCH_COOKIE_SECRET, gatehouseFlags, signIn, startBenchBase, waitAtRest } from './setup.js'
import { runWrk } from './wrk.js'

const REQUESTS = Number(process.env['BENCH_MEMORY_REQUESTS'] ?? 1_000_000)
const SESSIONS = Number(process.env['BENCH_MEMORY_SESSIONS'] ?? 10_000)
const STEP_SECONDS = Number(process.env['BENCH_MEMORY_STEP_SECONDS'] ?? 30)
const MAX_STEPS = Number(process.env['BENCH_MEMORY_MAX_STEPS'] ?? 12)
const ENTRY = process.env['BENCH_MEMORY_ENTRY']
const NODE_ARGS = (process.env['BENCH_MEMORY_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '')
const SNAPSHOTS = process.env['BENCH_MEMORY_SNAPSHOTS']
const COOKIE_NAME = '_oauth2_proxy'

/** Asks the process for a heap snapshot (--heapsnapshot-signal) and waits until a new one is complete in `dir`. */
async function snapshot(pid: number, dir: string, label: string): Promise<void> {
  const before = new Set(readdirSync(dir))
  process.kill(pid, 'SIGUSR2')
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100))
    const fresh = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'))
    // V8 writes the file in one go and closes it; a size that stays put between two looks means it is done.
    if (fresh !== undefined) {
      const size = statSync(join(dir, fresh)).size
      await new Promise((r) => setTimeout(r, 500))
      if (size > 0 && statSync(join(dir, fresh)).size === size) {
        renameSync(join(dir, fresh), join(dir, `${label}.heapsnapshot`))
        return
      }
    }
  }
  throw new Error(`no heap snapshot appeared in ${dir}`)
}

/** `count` distinct session cookies: the signed-in session under other users' names, sealed and signed anew. */
function mintSessions(cookieHeader: string, count: number): string[] {
  const value = parseCookie(cookieHeader)[COOKIE_NAME]
  if (value === undefined) throw new Error(`no ${COOKIE_NAME} cookie in the signed-in session (a chunked cookie is not handled here)`)
  const { hmacKey, aesKey } = cookieSecretKeys(BENCH_COOKIE_SECRET)
  const opened = openSignedValue(COOKIE_NAME, value, hmacKey, 24 * 3600_000, Date.now())
  const session = opened === undefined ? undefined : openCookieSession(opened.payload, aesKey)
  if (opened === undefined || session === undefined) throw new Error('the signed-in session cookie could not be opened with the bench secret')
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const user = `user${i}`
    const sealed = sealCookieSession({ ...session, user, email: `${user}@example.com`, preferredUsername: user }, aesKey)
    out.push(`${COOKIE_NAME}=${signValue(COOKIE_NAME, sealed, hmacKey, opened.issuedAt)}`)
  }
  return out
}

/** A wrk script that sends the cookies of `cookieFile` in turn, one per line (one wrk thread, so one counter). */
function cyclingScript(dir: string, cookieFile: string): string {
  const file = join(dir, 'cycle-cookies.lua')
  writeFileSync(file, `local cookies = {}
for line in io.lines("${cookieFile}") do cookies[#cookies + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/", { ["Cookie"] = cookies[(n % #cookies) + 1] })
end
`)
  return file
}

const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-memory-'))
const [upstreamPort, port] = await Promise.all([freePort(), freePort()])
const base = await startBenchBase(upstreamPort)
const lines: string[] = []
const report = (line: string): void => {
  lines.push(line)
  process.stdout.write(`${line}\n`)
}
try {
  if (SNAPSHOTS !== undefined) mkdirSync(SNAPSHOTS, { recursive: true })
  const nodeArgs = SNAPSHOTS === undefined ? NODE_ARGS : [...NODE_ARGS, '--heapsnapshot-signal=SIGUSR2']
  const gatehouse = await startBenchGatehouse(gatehouseFlags(base, port), port, join(work, 'gatehouse.log'), {
    nodeArgs,
    ...(ENTRY === undefined ? {} : { entry: ENTRY }),
    ...(SNAPSHOTS === undefined ? {} : { cwd: SNAPSHOTS }),
  })
  try {
    const cookie = await signIn(gatehouse.url)
    report(`| stage | requests so far | resident MiB |`) // read right after each load run unless the stage says at rest
    report(`|---|---:|---:|`)
    report(`| right after sign-in | 0 | ${gatehouse.rssMiB()} |`)
    await waitAtRest()
    report(`| at rest, 2 s after sign-in | 0 | ${gatehouse.rssMiB()} |`)
    if (SNAPSHOTS !== undefined) await snapshot(gatehouse.pid, SNAPSHOTS, 'at-rest')
    let total = 0
    let rate = 0
    for (let step = 1; step <= MAX_STEPS && total < REQUESTS; step++) {
      const r = await runWrk({ url: `${gatehouse.url}/`, headers: { cookie }, seconds: STEP_SECONDS, connections: 50, threads: 1 })
      if (r.errors > 0) throw new Error(`${r.errors} errors or non-2xx answers with one session`)
      total += r.requests
      rate = r.requestsPerSec
      report(`| one cookie session, after ${step * STEP_SECONDS} s | ${total} | ${gatehouse.rssMiB()} |`)
    }
    if (total < REQUESTS) report(`| (stopped after ${MAX_STEPS} runs: ${total} of ${REQUESTS} requests) | | |`)
    const cookieFile = join(work, 'cookies.txt')
    const minted = mintSessions(cookie, SESSIONS)
    writeFileSync(cookieFile, `${minted.join('\n')}\n`)
    // A minted session must be one gatehouse accepts and proxies with its own identity, not a sign-in page.
    const probe = await fetch(`${gatehouse.url}/check`, { headers: { cookie: minted[SESSIONS - 1] ?? '' }, redirect: 'manual' })
    const seen = await probe.text()
    if (probe.status !== 200 || !seen.includes(`user=user${SESSIONS - 1} `)) throw new Error(`a minted session was not proxied as its user: ${probe.status} ${seen.trim()}`)
    // Long enough at the one-session rate to send every session once, with a margin for the cache misses.
    const passSeconds = Math.max(5, Math.ceil((2 * SESSIONS) / Math.max(1, rate)))
    const script = cyclingScript(work, cookieFile)
    for (let pass = 1; pass <= 3; pass++) {
      const r = await runWrk({ url: `${gatehouse.url}/`, seconds: passSeconds, connections: 50, threads: 1, script })
      if (r.errors > 0) throw new Error(`${r.errors} errors or non-2xx answers with ${SESSIONS} sessions`)
      total += r.requests
      const distinct = Math.min(SESSIONS, r.requests)
      report(`| ${SESSIONS} sessions, pass ${pass} of 3 (${distinct} distinct sent) | ${total} | ${gatehouse.rssMiB()} |`)
    }
    await waitAtRest()
    report(`| at rest, 2 s after the last pass | ${total} | ${gatehouse.rssMiB()} |`)
    if (SNAPSHOTS !== undefined) await snapshot(gatehouse.pid, SNAPSHOTS, 'after-sessions')
  } finally {
    await gatehouse.stop()
  }
  const outDir = new URL('./results/', import.meta.url)
  mkdirSync(outDir, { recursive: true })
  writeFileSync(new URL('memory.md', outDir), `${lines.join('\n')}\n`)
  process.stdout.write('written to bench/results/memory.md\n')
} finally {
  await base.stop()
}
process.exit(0)
