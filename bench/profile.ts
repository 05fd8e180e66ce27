// `node --import tsx bench/profile.ts [path]`: a CPU profile of gatehouse under the bench's own load (a signed-in
// cookie session through wrk), then the functions and files with the most self time. Bounded: one wrk run of
// PROFILE_SECONDS (default 10). `PROFILE_ARGS` adds gatehouse flags (space-separated); the .cpuprofile is kept.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../test/helpers/process.js'
import { startBenchGatehouse } from './gatehouse.js'
import { benchLayout, pinTree, wrkThreadsFor } from './cpu.js'
import { summarizeProfile } from './profile-summary.js'
import { gatehouseFlags, signIn, startBenchBase } from './setup.js'
import { runWrk } from './wrk.js'

const SECONDS = Number(process.env['PROFILE_SECONDS'] ?? 10)
const path = process.argv[2] ?? '/'
const extra = (process.env['PROFILE_ARGS'] ?? '').split(' ').filter((a) => a !== '')

// The bench's CPU layout: gatehouse on a core of its own, wrk, the upstream and the IdP on the other.
const layout = benchLayout()
if (layout !== undefined) pinTree(process.pid, layout.rest)
const work = mkdtempSync(join(tmpdir(), 'gatehouse-profile-'))
const [upstreamPort, port] = await Promise.all([freePort(), freePort()])
const base = await startBenchBase(upstreamPort)
try {
  const gatehouse = await startBenchGatehouse([...gatehouseFlags(base, port), ...extra], port, join(work, 'gatehouse.log'), {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${work}`],
    // The same program module by module, so that the profile names each function's file.
    entry: fileURLToPath(new URL('../dist/main.modules.js', import.meta.url)),
  })
  if (layout !== undefined) pinTree(gatehouse.pid, layout.server)
  try {
    const cookie = await signIn(gatehouse.url)
    const r = await runWrk({ url: `${gatehouse.url}${path}`, headers: { cookie }, seconds: SECONDS, connections: 50, threads: wrkThreadsFor(layout) })
    process.stdout.write(`${path}: ${Math.round(r.requestsPerSec)} req/s, p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors\n`)
  } finally {
    await gatehouse.stop()
  }
  const file = readdirSync(work).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`no .cpuprofile in ${work}`)
  process.stdout.write(`${summarizeProfile(join(work, file))}\nprofile: ${join(work, file)}\n`)
} finally {
  await base.stop()
}
process.exit(0)
