// Medians of the wrk rounds and their ratios to the nginx reference, as a Markdown table.
import type { WrkResult } from './wrk.js'

/** One wrk run and the CPU time the target's own processes spent per request during it. */
export interface RunResult extends WrkResult {
  cpuUsPerRequest: number
}

export interface TargetResult {
  name: string
  runs: RunResult[]
  /** The row this one is compared with (default the first). */
  reference?: string
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const fixed = (n: number, digits: number): string => n.toFixed(digits)

/** The report: one row per target (the first is the reference), then memory and the machine. */
export function formatReport(
  results: TargetResult[],
  memory: { rssAtRest: number; rssAfter: number },
  machine: Record<string, string | number>,
  settings: Record<string, number | string>,
  startup: { singleMs: number; workersMs: number },
  peers: { caddy: string; bare: string },
): string {
  const rows = results.map((r) => ({
    name: r.name,
    reference: r.reference,
    rps: median(r.runs.map((x) => x.requestsPerSec)),
    p50: median(r.runs.map((x) => x.p50Ms)),
    p99: median(r.runs.map((x) => x.p99Ms)),
    cpu: median(r.runs.map((x) => x.cpuUsPerRequest)),
  }))
  const first = rows[0]
  if (first === undefined) return 'no results'
  const caddy = rows.find((x) => x.name === peers.caddy)
  const bare = rows.find((x) => x.name === peers.bare)
  const gatehouseRows = rows.filter((r) => r.name.startsWith('gatehouse') || r.name.startsWith('nginx auth_request'))
  const lines = [
    '| target | req/s | × nginx | p50 ms | × nginx | p99 ms | × nginx | CPU µs/req | × nginx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const ref = rows.find((x) => x.name === r.reference) ?? first
      return `| ${r.name} | ${Math.round(r.rps)} | ${fixed(r.rps / ref.rps, 2)} | ${fixed(r.p50, 2)} | ${fixed(r.p50 / ref.p50, 2)} | ${fixed(r.p99, 2)} | ${fixed(r.p99 / ref.p99, 2)} | ${fixed(r.cpu, 1)} | ${fixed(r.cpu / ref.cpu, 2)} |`
    }),
    '',
    'Each row is divided by nginx with one worker, except the 2-worker gatehouse row, divided by nginx with 2 workers.',
    '',
    '| gatehouse row | req/s × Caddy | CPU µs/req × Caddy | CPU µs/req × bare Node | p99 × bare Node |',
    '|---|---:|---:|---:|---:|',
    ...gatehouseRows.map((r) =>
      caddy === undefined || bare === undefined
        ? `| ${r.name} | – | – | – | – |`
        : `| ${r.name} | ${fixed(r.rps / caddy.rps, 2)} | ${fixed(r.cpu / caddy.cpu, 2)} | ${fixed(r.cpu / bare.cpu, 2)} | ${fixed(r.p99 / bare.p99, 2)} |`,
    ),
    '',
    'The ladder rows add gatehouse\'s own modules to the bare proxy one layer at a time (bench/ladder.ts); the step from one rung to the next is that layer\'s cost.',
    `gatehouse resident memory (each read after 2 s idle): ${memory.rssAtRest} MiB at rest after sign-in, ${memory.rssAfter} MiB after the runs.`,
    `Start-up to the first 200 from /ready (no discovery wait): ${startup.singleMs} ms with one process, ${startup.workersMs} ms with --workers=2.`,
    `Medians of ${settings['rounds']} rounds × ${settings['seconds']} s at ${settings['connections']} connections (wrk, ${settings['wrkThreads']} thread(s)); ` +
      `nginx and gatehouse with one worker process each unless the row says otherwise, both writing access logs, all on the same machine.`,
    `CPU pinning: ${settings['pinned']}; the 2-worker rows may use every CPU.`,
    'CPU µs/req: user + system time of the target\'s own processes (nginx master and workers, gatehouse and its workers; ' +
      'for auth_request both) per completed request, from /proc; the upstream, the IdP and Redis are not counted.',
    `Machine: ${machine['cpu']}, ${machine['memoryGiB']} GiB, Node ${machine['node']}, ${machine['nginx']}, ${machine['peers']}, ${machine['date']}.`,
  ]
  return lines.join('\n')
}
