// Reading a --workers gatehouse from its JSON log lines: which process wrote a line (every line carries its pid),
// which workers the primary reports alive, and a bounded wait for a condition on them.
import { strict as assert } from 'node:assert'

/** The fields of a log line these tests look at. */
export interface Line {
  pid?: number
  workerPid?: number
  event?: string
  uri?: string
  status?: number
  user?: string
}

/** The JSON log lines of the stack's proxy so far. */
export function lines(stack: { proxy: { logs(): string } }): Line[] {
  return stack.proxy
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line)
}

/** Pids of workers the primary reported listening and has not reported exited. */
export function liveWorkers(stack: { proxy: { logs(): string } }): Set<number> {
  const live = new Set<number>()
  for (const l of lines(stack)) {
    if (l.event === 'cluster.worker.listening' && l.workerPid !== undefined) live.add(l.workerPid)
    if (l.event === 'cluster.worker.exited' && l.workerPid !== undefined) live.delete(l.workerPid)
  }
  return live
}

/** Polls `ok` every 50 ms, for at most 30 s, and fails naming `what` if it never holds. */
export async function waitFor(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 50))
  assert.ok(ok(), `timed out waiting for ${what}`)
}
