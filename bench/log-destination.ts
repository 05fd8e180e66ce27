// `node --import tsx bench/log-destination.ts`: what one access line costs at each log destination, without the noise
// of a whole proxy under load. Each variant runs in a fresh child process that writes LOGDEST_LINES access lines
// (default 200,000) through gatehouse's own access logger, LOGDEST_BURST (default 10) per turn of the event loop, as a
// busy proxy finishes several requests per turn; the child reports its CPU time (every thread, libuv's pool included)
// and its write system calls. Variants run interleaved over LOGDEST_ROUNDS (default 5) rounds; stdout is a file, or a
// pipe read by this process with LOGDEST_OUTPUT=pipe. Prints the median µs of CPU and write calls per line.
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino, type DestinationStream } from 'pino'
import { createBatchedFd } from '../src/log/batched-fd.js'
import { createLoggers, JSON_LOG_SETTINGS } from '../src/log/logger.js'
import { createRotatingFile } from '../src/log/rotating-file.js'

const LINES = Number(process.env['LOGDEST_LINES'] ?? 200_000)
const BURST = Number(process.env['LOGDEST_BURST'] ?? 10)
const ROUNDS = Number(process.env['LOGDEST_ROUNDS'] ?? 5)
const PIPE = process.env['LOGDEST_OUTPUT'] === 'pipe'

/** Each destination under test, as gatehouse would build it (the file one writes to `file`). */
const VARIANTS: Record<string, (file: string) => DestinationStream & { flushSync(): void }> = {
  'none: lines built, then dropped (the baseline)': () => ({ write: () => undefined, flushSync: () => undefined }),
  'sonic-boom async (minLength 0)': () => pino.destination({ fd: 1, sync: false }),
  'sonic-boom async, minLength 4096': () => pino.destination({ fd: 1, sync: false, minLength: 4096 }),
  'sonic-boom async, minLength 16000': () => pino.destination({ fd: 1, sync: false, minLength: 16000 }),
  'sonic-boom sync (a write per line)': () => pino.destination({ fd: 1, sync: true }),
  'one write per event-loop turn (batched-fd)': () => createBatchedFd(1),
  '--logging-filename (rotating-file)': (file) => createRotatingFile({ filename: file, maxSizeMb: 100, maxAgeDays: 0, maxBackups: 0, localTime: true, compress: false }),
}

function writeCalls(): number {
  return Number(/^syscw:\s+(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0)
}

/** The child: writes the lines through `variant` and prints `cpuMicros writeCalls` on stderr. */
async function child(variant: string, file: string): Promise<void> {
  const make = VARIANTS[variant]
  if (make === undefined) throw new Error(`unknown variant ${variant}`)
  const out = make(file)
  const { access } = createLoggers(JSON_LOG_SETTINGS, { out })
  const fields = {
    event: 'http.request', client: '127.0.0.1', user: 'alice@example.com', host: '127.0.0.1:4180', method: 'GET', uri: '/some/path?x=1',
    protocol: 'HTTP/1.1', upstream: 'http://127.0.0.1:8080/', status: 200, size: 2, userAgent: 'wrk',
  }
  // Warm up, so the JIT's work is not counted.
  for (let i = 0; i < 2000; i++) access.info({ ...fields, requestId: `warm${i}`, durationMs: 1.5 })
  out.flushSync()
  await new Promise((r) => setTimeout(r, 50))
  const cpu0 = process.cpuUsage()
  const w0 = writeCalls()
  let n = 0
  await new Promise<void>((resolve) => {
    const turn = (): void => {
      for (let i = 0; i < BURST && n < LINES; i++, n++) access.info({ ...fields, requestId: `r${n}`, durationMs: 1.5 })
      if (n < LINES) setImmediate(turn)
      else setTimeout(resolve, 20)
    }
    turn()
  })
  out.flushSync()
  const cpu = process.cpuUsage(cpu0)
  process.stderr.write(`${cpu.user + cpu.system} ${writeCalls() - w0}\n`)
}

async function runChild(variant: string, dir: string): Promise<{ cpuMicros: number; writes: number }> {
  const sink = join(dir, 'stdout.log')
  const fd = PIPE ? undefined : openSync(sink, 'w')
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', variant, join(dir, 'file.log')], {
    stdio: ['ignore', fd ?? 'pipe', 'pipe'],
  })
  if (fd !== undefined) closeSync(fd)
  proc.stdout?.resume()
  let err = ''
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d))
  const code = await new Promise<number | null>((resolve) => proc.once('close', resolve))
  rmSync(sink, { force: true })
  rmSync(join(dir, 'file.log'), { force: true })
  const m = /^(\d+) (\d+)$/m.exec(err)
  if (code !== 0 || m === null) throw new Error(`${variant}: exit ${code}\n${err}`)
  return { cpuMicros: Number(m[1]), writes: Number(m[2]) }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}

if (process.argv[2] === 'child') {
  await child(process.argv[3] ?? '', process.argv[4] ?? '')
} else {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logdest-'))
  const names = Object.keys(VARIANTS)
  const results = new Map<string, { us: number[]; writes: number[] }>(names.map((n) => [n, { us: [], writes: [] }]))
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] ?? ''
      const r = await runChild(name, dir)
      results.get(name)?.us.push(r.cpuMicros / LINES)
      results.get(name)?.writes.push(r.writes / LINES)
    }
  }
  rmSync(dir, { recursive: true, force: true })
  process.stdout.write(`${LINES} lines, ${BURST} per event-loop turn, stdout to a ${PIPE ? 'pipe' : 'file'}; medians of ${ROUNDS} rounds\n`)
  process.stdout.write('| destination | CPU µs per line | write calls per line |\n|---|---:|---:|\n')
  for (const [name, r] of results) process.stdout.write(`| ${name} | ${median(r.us).toFixed(2)} (${r.us.map((x) => x.toFixed(2)).join(', ')}) | ${median(r.writes).toFixed(3)} |\n`)
}
