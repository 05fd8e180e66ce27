// `npm run bench`: gatehouse against nginx on this machine, in one run. Starts an upstream (nginx), nginx as the
// reference reverse proxy, the development IdP, gatehouse with a cookie session and with a Redis session,
// gatehouse's /oauth2/auth alone and behind nginx auth_request; checks each target reaches the upstream with the identity before and after its load;
// runs wrk rounds (interleaved across targets) and prints medians and ratios to nginx. Every run is bounded.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { startNginx, type Nginx } from '../test/helpers/nginx.js'
import { freePort } from '../test/helpers/process.js'
import { startRedis } from '../test/helpers/redis.js'
import { startBareProxy } from './bare-proxy.js'
import { RUNGS, startRung } from './ladder.js'
import { startApacheOidc, startCaddyProxy } from './peers.js'
import { benchLayout, pinTree, treeCpuSeconds, wrkThreadsFor } from './cpu.js'
import { startBenchGatehouse } from './gatehouse.js'
import { formatReport, type RunResult, type TargetResult } from './report.js'
import { BENCH_COOKIE_SECRET, gatehouseFlags, signIn, startBenchBase, startOtlpSink, waitAtRest } from './setup.js'
import { authRequestConf, referenceConf } from './targets.js'
import { runWrk } from './wrk.js'

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10)
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3)
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50)
const WARMUP = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 2)
const layout = benchLayout()
/** The Go floor: every gatehouse row is also divided by this one. */
const CADDY_ROW = 'Caddy reverse_proxy, GOMAXPROCS=1, no auth (Go net/http, the floor under oauth2-proxy)'
/** The Node ceiling: every gatehouse row's CPU per request is also divided by this one. */
const BARE_ROW = 'bare Node proxy: node:http + undici, no auth (the ceiling for Node)'
const WRK_THREADS = wrkThreadsFor(layout)

interface Target {
  name: string
  url: string
  headers: Record<string, string>
  /** The processes that serve the target (their CPU time per request is reported); not the upstream, IdP or Redis. */
  pids: number[]
  /** The row whose numbers this one is divided by (default the first, nginx with one worker). */
  reference?: string
  /** Throws unless the target answers as a signed-in request that reached the upstream. */
  check(): Promise<void>
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))
  const stops: Array<() => Promise<void>> = []
  // Everything this process starts inherits CPU 0; each server under test is then moved to CPU 1.
  if (layout !== undefined) pinTree(process.pid, layout.rest)
  const pinServer = (pid: number): void => {
    if (layout !== undefined) pinTree(pid, layout.server)
  }
  const unpin = (pid: number): void => {
    if (layout !== undefined) pinTree(pid, `${layout.rest},${layout.server}`)
  }
  try {
    const [upstreamPort, referencePort, gatehousePort, authPort, redisGatehousePort, reference2Port, workersPort, barePort, answerPort, caddyPort, apachePort] = await Promise.all(
      [freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort()],
    )
    const [assertionPort, tracingPort] = await Promise.all([freePort(), freePort()])
    const base = await startBenchBase(upstreamPort)
    stops.push(() => base.stop())
    const nginxes: Nginx[] = [
      await startNginx({ servers: referenceConf(referencePort, upstreamPort), ports: [referencePort] }),
      await startNginx({ servers: referenceConf(reference2Port, upstreamPort), ports: [reference2Port], workers: 2 }),
    ]
    for (const n of nginxes) stops.push(() => n.stop())
    pinServer(nginxes[0]!.pid)
    unpin(nginxes[1]!.pid)
    const bare = await startBareProxy(barePort, upstreamPort)
    stops.push(() => bare.stop())
    pinServer(bare.pid)
    const answer = await startBareProxy(answerPort, upstreamPort, 'answer')
    stops.push(() => answer.stop())
    pinServer(answer.pid)
    const redis = await startRedis()
    stops.push(() => redis.stop())
    const flags = (port: number): string[] => gatehouseFlags(base, port)
    const gatehouse = await startBenchGatehouse(flags(gatehousePort), gatehousePort, join(work, 'gatehouse.log'))
    stops.push(() => gatehouse.stop())
    pinServer(gatehouse.pid)
    const redisGatehouse = await startBenchGatehouse(
      [...flags(redisGatehousePort), '--session-store-type=redis', `--redis-connection-url=${redis.url}`],
      redisGatehousePort,
      join(work, 'gatehouse-redis.log'),
    )
    stops.push(() => redisGatehouse.stop())
    pinServer(redisGatehouse.pid)
    // What two of this round's features cost: signed identity assertions, and tracing at 10% sampling.
    const assertionGatehouse = await startBenchGatehouse([...flags(assertionPort), '--set-identity-assertion'], assertionPort, join(work, 'gatehouse-assertion.log'))
    stops.push(() => assertionGatehouse.stop())
    pinServer(assertionGatehouse.pid)
    const otlp = await startOtlpSink()
    stops.push(() => otlp.stop())
    const tracingGatehouse = await startBenchGatehouse([...flags(tracingPort), `--otel-exporter-otlp-endpoint=${otlp.url}`, '--otel-sample-ratio=0.1'], tracingPort, join(work, 'gatehouse-tracing.log'))
    stops.push(() => tracingGatehouse.stop())
    pinServer(tracingGatehouse.pid)
    const workersGatehouse = await startBenchGatehouse([...flags(workersPort), '--workers=2'], workersPort, join(work, 'gatehouse-workers.log'))
    stops.push(() => workersGatehouse.stop())
    unpin(workersGatehouse.pid)
    const authNginx = await startNginx({ servers: authRequestConf(authPort, gatehousePort, upstreamPort), ports: [authPort] })
    stops.push(() => authNginx.stop())
    pinServer(authNginx.pid)

    const caddy = await startCaddyProxy(caddyPort, upstreamPort)
    stops.push(() => caddy.stop())
    pinServer(caddy.pid)
    const apache = await startApacheOidc(apachePort, upstreamPort, base.idp.issuer)
    stops.push(() => apache.stop())
    pinServer(apache.pid)

    const cookie = await signIn(gatehouse.url)
    const apacheCookie = await apache.signIn()
    const rungs = []
    for (const { rung, name } of RUNGS) {
      const r = await startRung(rung, await freePort(), upstreamPort, BENCH_COOKIE_SECRET, cookie)
      stops.push(() => r.stop())
      pinServer(r.pid)
      rungs.push({ ...r, rung, name })
    }
    const redisCookie = await signIn(redisGatehouse.url)
    const assertionCookie = await signIn(assertionGatehouse.url)
    const tracingCookie = await signIn(tracingGatehouse.url)
    const workersCookie = await signIn(workersGatehouse.url)
    // At rest: idle for a moment after sign-in, once V8 has shrunk the heap the sign-in grew.
    await waitAtRest()
    const rssAtRest = gatehouse.rssMiB()

    const body = async (url: string, headers: Record<string, string>, status: number): Promise<string> => {
      const res = await fetch(url, { headers, redirect: 'manual' })
      const text = await res.text()
      if (res.status !== status) throw new Error(`${url} answered ${res.status}, expected ${status}`)
      return text
    }
    const withCookie = { cookie }
    const targets: Target[] = [
      {
        name: 'nginx reverse proxy (reference)',
        url: `http://127.0.0.1:${referencePort}/`,
        pids: [nginxes[0]!.pid],
        headers: {},
        check: async () => expect(await body(`http://127.0.0.1:${referencePort}/check`, {}, 200), 'user=reference'),
      },
      {
        name: BARE_ROW,
        url: `${bare.url}/`,
        pids: [bare.pid],
        headers: {},
        check: async () => expect(await body(`${bare.url}/check`, {}, 200), 'user=bare'),
      },
      {
        name: 'node:http answering by itself, no upstream (the ceiling for any node:http server)',
        url: `${answer.url}/`,
        pids: [answer.pid],
        headers: {},
        check: async () => expect(await body(`${answer.url}/`, {}, 200), 'ok'),
      },
      {
        name: CADDY_ROW,
        url: `${caddy.url}/`,
        pids: [caddy.pid],
        headers: {},
        check: async () => expect(await body(`${caddy.url}/check`, {}, 200), 'user=caddy'),
      },
      {
        name: 'Apache + mod_auth_openidc, signed-in session (C, with auth)',
        url: `${apache.url}/`,
        pids: [apache.pid],
        headers: { cookie: apacheCookie },
        check: async () => expect(await body(`${apache.url}/check`, { cookie: apacheCookie }, 200), 'user=alice email=alice@example.com'),
      },
      ...rungs.map((r): Target => ({
        name: `ladder ${r.rung}: bare proxy ${RUNGS.filter((x) => x.rung <= r.rung).map((x) => x.name).join(' ')}`,
        url: `${r.url}/`,
        pids: [r.pid],
        headers: withCookie,
        // Rung 2 sets the bare proxy's one header; from rung 3 on, the session's identity.
        check: async () => expect(await body(`${r.url}/check`, withCookie, 200), r.rung === 2 ? 'user=bare' : 'user=alice email=alice@example.com'),
      })),
      {
        name: 'gatehouse proxy, cookie session',
        url: `${gatehouse.url}/`,
        pids: [gatehouse.pid],
        headers: withCookie,
        check: async () => expect(await body(`${gatehouse.url}/check`, withCookie, 200), 'user=alice email=alice@example.com'),
      },
      {
        name: 'gatehouse proxy, Redis session',
        url: `${redisGatehouse.url}/`,
        pids: [redisGatehouse.pid],
        headers: { cookie: redisCookie },
        check: async () => expect(await body(`${redisGatehouse.url}/check`, { cookie: redisCookie }, 200), 'user=alice email=alice@example.com'),
      },
      {
        name: 'gatehouse proxy, cookie session, identity assertion',
        url: `${assertionGatehouse.url}/`,
        pids: [assertionGatehouse.pid],
        headers: { cookie: assertionCookie },
        check: async () => {
          const res = await fetch(`${assertionGatehouse.url}/check`, { headers: { cookie: assertionCookie } })
          expect(await res.text(), 'user=alice email=alice@example.com')
          // The upstream nginx does not echo the assertion; the JWKS shows the feature is on.
          const jwks = await fetch(`${assertionGatehouse.url}/.well-known/jwks.json`)
          if (jwks.status !== 200) throw new Error(`the JWKS answered ${jwks.status}`)
        },
      },
      {
        name: 'gatehouse proxy, cookie session, tracing at 10% sampling',
        url: `${tracingGatehouse.url}/`,
        pids: [tracingGatehouse.pid],
        headers: { cookie: tracingCookie },
        check: async () => expect(await body(`${tracingGatehouse.url}/check`, { cookie: tracingCookie }, 200), 'user=alice email=alice@example.com'),
      },
      {
        name: 'gatehouse /oauth2/auth, cookie session',
        url: `${gatehouse.url}/oauth2/auth`,
        pids: [gatehouse.pid],
        headers: withCookie,
        check: async () => {
          const res = await fetch(`${gatehouse.url}/oauth2/auth`, { headers: withCookie })
          if (res.status !== 202 || res.headers.get('x-auth-request-user') !== 'alice') throw new Error(`/oauth2/auth answered ${res.status}`)
        },
      },
      {
        name: 'nginx reverse proxy, 2 workers (reference for 2 workers)',
        url: `http://127.0.0.1:${reference2Port}/`,
        pids: [nginxes[1]!.pid],
        headers: {},
        check: async () => expect(await body(`http://127.0.0.1:${reference2Port}/check`, {}, 200), 'user=reference'),
      },
      {
        name: 'gatehouse proxy, cookie session, 2 workers',
        url: `${workersGatehouse.url}/`,
        pids: [workersGatehouse.pid],
        headers: { cookie: workersCookie },
        reference: 'nginx reverse proxy, 2 workers (reference for 2 workers)',
        check: async () => expect(await body(`${workersGatehouse.url}/check`, { cookie: workersCookie }, 200), 'user=alice email=alice@example.com'),
      },
      {
        name: 'nginx auth_request + gatehouse',
        url: `http://127.0.0.1:${authPort}/`,
        pids: [authNginx.pid, gatehouse.pid],
        headers: withCookie,
        check: async () => expect(await body(`http://127.0.0.1:${authPort}/check`, withCookie, 200), 'auth=alice'),
      },
    ]

    for (const t of targets) await checked(t, 'before its load')
    process.stdout.write(`warming up (${WARMUP} s per target)…\n`)
    for (const t of targets) await runWrk({ url: t.url, headers: t.headers, seconds: WARMUP, connections: CONNECTIONS, threads: WRK_THREADS })

    const runs = new Map<string, RunResult[]>(targets.map((t) => [t.name, []]))
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        process.stdout.write(`round ${round}/${ROUNDS}: ${t.name}… `)
        const cpuBefore = sumCpu(t.pids)
        const r = await runWrk({ url: t.url, headers: t.headers, seconds: SECONDS, connections: CONNECTIONS, threads: WRK_THREADS })
        if (r.errors > 0) throw new Error(`${t.name}: ${r.errors} errors or non-2xx answers during the run`)
        runs.get(t.name)?.push({ ...r, cpuUsPerRequest: ((sumCpu(t.pids) - cpuBefore) * 1e6) / Math.max(1, r.requests) })
        process.stdout.write(`${Math.round(r.requestsPerSec)} req/s\n`)
      }
    }
    for (const t of targets) await checked(t, 'after its load')
    await waitAtRest()
    const rssAfter = gatehouse.rssMiB()

    const results: TargetResult[] = targets.map((t) => ({ name: t.name, runs: runs.get(t.name) ?? [], ...(t.reference === undefined ? {} : { reference: t.reference }) }))
    const machine = {
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      // nginx prints its version on stderr.
      nginx: spawnSync('/usr/sbin/nginx', ['-v'], { encoding: 'utf8' }).stderr.trim(),
      peers: `${caddy.version}, ${apache.version}`,
      date: new Date().toISOString(),
    }
    const settings = { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, wrkThreads: WRK_THREADS, pinned: layout === undefined ? 'no' : `server under test on CPU ${layout.server}, the rest on CPU ${layout.rest}`, nginxWorkers: 1, gatehouseProcesses: 1 }
    const startup = { singleMs: gatehouse.startMs, workersMs: workersGatehouse.startMs }
    const report = formatReport(results, { rssAtRest, rssAfter }, machine, settings, startup, { caddy: CADDY_ROW, bare: BARE_ROW })
    process.stdout.write(`\n${report}\n`)
    const outDir = new URL('./results/', import.meta.url)
    mkdirSync(outDir, { recursive: true })
    writeFileSync(new URL('latest.json', outDir), `${JSON.stringify({ machine, settings, memoryMiB: { rssAtRest, rssAfter }, startup, results }, null, 2)}\n`)
    writeFileSync(new URL('latest.md', outDir), `${report}\n`)
    process.stdout.write('written to bench/results/latest.json and latest.md\n')
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {})
  }
}

/** Runs a target's check, naming the target when it fails. */
async function checked(t: Target, when: string): Promise<void> {
  try {
    // A pooled connection that sat idle through a load run may have been closed by the server: one retry on a network error.
    await t.check().catch((err: unknown) => {
      if (err instanceof TypeError && err.message === 'fetch failed') return t.check()
      throw err
    })
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : ''
    throw new Error(`${t.name} ${when}: ${err instanceof Error ? err.message : String(err)}${cause}`)
  }
}

function sumCpu(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0)
}

function expect(text: string, wanted: string): void {
  if (!text.includes(wanted)) throw new Error(`the upstream saw "${text.trim()}", expected it to contain "${wanted}"`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
