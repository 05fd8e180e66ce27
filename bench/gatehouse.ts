// Starts the compiled gatehouse for the benchmark with its logs going to a file, as in production
// (a pipe read by this process would cost the benchmark memory and CPU).
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { processCpuSeconds, processRssMiB, processWriteCalls } from './cpu.js'

export interface BenchProcess {
  pid: number
  url: string
  /** Milliseconds from spawn until /ready first answered 200 (polled every 5 ms). */
  startMs: number
  /** Resident set size in MiB, from /proc. */
  rssMiB(): number
  /** CPU time (user + system) the process has used so far, in seconds, from /proc. */
  cpuSeconds(): number
  /** Write system calls made so far (sockets and logs alike), from /proc. */
  writeCalls(): number
  stop(): Promise<void>
}

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))

/** Optional ways to start it: another build's entry (A/B runs), Node flags (`--cpu-prof`). */
export interface BenchStartOptions {
  entry?: string
  nodeArgs?: string[]
  cwd?: string
  /** Where stdout and stderr go: the log file (default), or a pipe this process reads and discards (as under a container runtime). */
  output?: 'file' | 'pipe'
}

/** Spawns `node dist/main.js args` on `port` and resolves once /ready answers 200. */
export async function startBenchGatehouse(args: string[], port: number, logFile: string, start: BenchStartOptions = {}): Promise<BenchProcess> {
  const fd = openSync(logFile, 'a')
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OAUTH2_PROXY_')))
  const argv = [...(start.nodeArgs ?? []), start.entry ?? MAIN, ...args, `--http-address=127.0.0.1:${port}`]
  // fetch loads its machinery on first use: not part of gatehouse's start-up.
  await fetch('http://127.0.0.1:1/').catch(() => undefined)
  const spawnedAt = performance.now()
  const piped = start.output === 'pipe'
  const proc: ChildProcess = spawn(process.execPath, argv, { stdio: piped ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd], env, ...(start.cwd === undefined ? {} : { cwd: start.cwd }) })
  closeSync(fd)
  proc.stdout?.resume()
  proc.stderr?.resume()
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`gatehouse exited (${proc.exitCode}); see ${logFile}`)
    try {
      if ((await fetch(`${url}/ready`)).status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL')
      throw new Error(`gatehouse did not answer /ready; see ${logFile}`)
    }
    await new Promise((r) => setTimeout(r, 5))
  }
  const startMs = Math.round(performance.now() - spawnedAt)
  const pid = proc.pid ?? 0
  return {
    pid,
    url,
    startMs,
    rssMiB: () => processRssMiB(pid),
    cpuSeconds: () => processCpuSeconds(pid),
    writeCalls: () => processWriteCalls(pid),
    async stop() {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
