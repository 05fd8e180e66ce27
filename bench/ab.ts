// `node --import tsx bench/ab.ts label=path/to/main.js label2=other/main.js [...]`: interleaved A/B runs of builds of
// gatehouse (or of one build with different Node flags: 'label=path/to/main.js --max-semi-space-size=4') under the same load (a signed-in cookie session through wrk), for changes whose effect is smaller than the
// machine's noise. Each round runs every build once, in rotating order; prints each build's median req/s and its CPU
// time per request (user + system from /proc, which another job's load disturbs far less than req/s) and its write
// system calls per request (sockets and log lines together, from /proc/<pid>/io) and its resident memory after a round.
// AB_PATH (default /), AB_SECONDS (3), AB_ROUNDS (5), AB_CONNECTIONS (50), AB_ARGS (extra flags, space-separated),
// AB_OUTPUT (file, the default, or pipe: stdout and stderr read through a pipe, as a container runtime does).
// The words `bare` and `answer` add the bench's bare Node proxy and node:http answering by itself as rows, for the
// ratios of issue #19. AB_PIN=1 pins as `npm run bench` does (the servers on CPU 1, wrk with one thread and the rest
// on CPU 0).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from '../test/helpers/process.js'
import { startBareProxy } from './bare-proxy.js'
import { benchLayout, pinTree, processCpuSeconds, processRssMiB, processWriteCalls, wrkThreadsFor } from './cpu.js'
import { startBenchGatehouse, type BenchProcess } from './gatehouse.js'
import { gatehouseFlags, signIn, startBenchBase } from './setup.js'
import { runWrk } from './wrk.js'

const PATH = process.env['AB_PATH'] ?? '/'
const SECONDS = Number(process.env['AB_SECONDS'] ?? 3)
const ROUNDS = Number(process.env['AB_ROUNDS'] ?? 5)
const CONNECTIONS = Number(process.env['AB_CONNECTIONS'] ?? 50)
const OUTPUT = process.env['AB_OUTPUT'] === 'pipe' ? 'pipe' : 'file'
const extra = (process.env['AB_ARGS'] ?? '').split(' ').filter((a) => a !== '')

const layout = process.env['AB_PIN'] === '1' ? benchLayout() : undefined
const WRK_THREADS = wrkThreadsFor(layout)
const CEILINGS = ['bare', 'answer'] as const
type Ceiling = (typeof CEILINGS)[number]
const isCeiling = (arg: string): arg is Ceiling => (CEILINGS as readonly string[]).includes(arg)
const ceilings = process.argv.slice(2).filter(isCeiling)

const builds = process.argv.slice(2).filter((arg) => !isCeiling(arg)).map((arg) => {
  const eq = arg.indexOf('=')
  if (eq === -1) throw new Error(`expected label=path/to/main.js, bare or answer, got ${arg}`)
  const [entry = '', ...nodeArgs] = arg.slice(eq + 1).split(' ').filter((a) => a !== '')
  return { label: arg.slice(0, eq), entry: resolve(entry), nodeArgs }
})
if (builds.length + ceilings.length < 2) throw new Error('give at least two builds: label=path/to/main.js ..., or a build and bare or answer')

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}

/** What a row needs of its process: its CPU time, write calls and resident set, and a way to stop it. */
type Measured = Pick<BenchProcess, 'pid' | 'url' | 'cpuSeconds' | 'writeCalls' | 'rssMiB' | 'stop'>

if (layout !== undefined) pinTree(process.pid, layout.rest)
const work = mkdtempSync(join(tmpdir(), 'gatehouse-ab-'))
const base = await startBenchBase(await freePort())
const running: Measured[] = []
try {
  const targets: Array<{ label: string; url: string; cookie: string; proc: Measured; rps: number[]; p99: number[]; cpuUs: number[]; writes: number[]; rss: number[] }> = []
  for (const b of builds) {
    const port = await freePort()
    const proc = await startBenchGatehouse([...gatehouseFlags(base, port), ...extra], port, join(work, `${b.label}.log`), { entry: b.entry, nodeArgs: b.nodeArgs, output: OUTPUT })
    running.push(proc)
    targets.push({ label: b.label, url: proc.url, cookie: await signIn(proc.url), proc, rps: [], p99: [], cpuUs: [], writes: [], rss: [] })
  }
  for (const ceiling of ceilings) {
    const child = await startBareProxy(await freePort(), base.upstreamPort, ceiling === 'bare' ? 'proxy' : 'answer')
    const proc: Measured = { ...child, cpuSeconds: () => processCpuSeconds(child.pid), writeCalls: () => processWriteCalls(child.pid), rssMiB: () => processRssMiB(child.pid) }
    running.push(proc)
    targets.push({ label: ceiling, url: child.url, cookie: targets[0]?.cookie ?? '', proc, rps: [], p99: [], cpuUs: [], writes: [], rss: [] })
  }
  if (layout !== undefined) for (const t of targets) pinTree(t.proc.pid, layout.server)
  for (const t of targets) await runWrk({ url: `${t.url}${PATH}`, headers: { cookie: t.cookie }, seconds: 1, connections: CONNECTIONS, threads: WRK_THREADS })
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(round + i) % targets.length]
      if (t === undefined) continue
      const cpuBefore = t.proc.cpuSeconds()
      const writesBefore = t.proc.writeCalls()
      const r = await runWrk({ url: `${t.url}${PATH}`, headers: { cookie: t.cookie }, seconds: SECONDS, connections: CONNECTIONS, threads: WRK_THREADS })
      if (r.errors > 0) throw new Error(`${t.label}: ${r.errors} errors`)
      t.cpuUs.push(((t.proc.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, r.requests))
      t.writes.push((t.proc.writeCalls() - writesBefore) / Math.max(1, r.requests))
      t.rps.push(r.requestsPerSec)
      t.rss.push(t.proc.rssMiB())
      t.p99.push(r.p99Ms)
    }
  }
  const first = median(targets[0]?.rps ?? [])
  for (const t of targets) {
    const m = median(t.rps)
    process.stdout.write(
      `${t.label}: median ${Math.round(m)} req/s (×${(m / first).toFixed(2)}), p99 ${median(t.p99).toFixed(2)} ms, ` +
        `${median(t.cpuUs).toFixed(1)} µs CPU per request (${t.cpuUs.map((x) => x.toFixed(0)).join(', ')}), ` +
        `${median(t.writes).toFixed(3)} write calls per request, resident ${median(t.rss).toFixed(1)} MiB after a round (max ${Math.max(...t.rss)}); runs ${t.rps.map(Math.round).join(', ')}\n`,
    )
  }
} finally {
  for (const p of running) await p.stop()
  await base.stop()
}
process.exit(0)
