// The bench's processes and the CPUs: pinning, and the CPU time a process has used. A 2-core machine cannot give the load generator, the upstream and the server under
// test a core each, so the bench gives the server under test CPU 1 to itself and puts wrk, the upstream, Redis, the
// IdP and this orchestrator on CPU 0 — the same layout for nginx and for gatehouse, so the ratio compares like with like.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { cpus } from 'node:os'

/** The CPU list of the server under test and of everything else, or undefined on a machine with one core. */
export interface Layout {
  server: string
  rest: string
}

/** CPU 1 for the server under test, CPU 0 for the rest; no pinning on one core or when BENCH_PIN=0. */
export function benchLayout(): Layout | undefined {
  if (process.env['BENCH_PIN'] === '0' || cpus().length < 2) return undefined
  return { server: '1', rest: '0' }
}

/** wrk's threads: one when it shares CPU 0 with the upstream under the layout, two when nothing is pinned. */
export function wrkThreadsFor(layout: Layout | undefined): number {
  return layout === undefined ? 2 : 1
}

/** Pins a process, all its threads and all its descendants (nginx workers, gatehouse workers) to `cpuList`. */
export function pinTree(pid: number, cpuList: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' })
  for (const child of childrenOf(pid)) pinTree(child, cpuList)
}

/** CPU time (user + system, seconds) one process has used so far, from /proc; throws once it is gone. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields 14 and 15 (after the parenthesised command name): utime and stime in clock ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Write system calls (write, writev, pwrite) one process has made so far, every thread counted, from /proc/<pid>/io. */
export function processWriteCalls(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8')
  return Number(/^syscw:\s+(\d+)/m.exec(io)?.[1] ?? 0)
}

/** A process's resident set in MiB (one decimal), from /proc. */
export function processRssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  return Math.round((kib / 1024) * 10) / 10
}

/** CPU time (user + system, seconds) a process and all its descendants have used so far; 0 once gone. */
export function treeCpuSeconds(pid: number): number {
  let total: number
  try {
    total = processCpuSeconds(pid)
  } catch {
    return 0
  }
  for (const child of childrenOf(pid)) total += treeCpuSeconds(child)
  return total
}

function childrenOf(pid: number): number[] {
  const out: number[] = []
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) if (child.trim() !== '') out.push(Number(child))
    } catch {
      // the thread ended meanwhile
    }
  }
  return out
}
