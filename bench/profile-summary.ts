// Reads a V8 .cpuprofile and sums self time by function and by file: where a request's CPU goes.
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Shortens a file URL to the part after node_modules/ or the repository root. */
function shortFile(url: string): string {
  if (url === '') return '(native)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm !== -1) return url.slice(nm + 'node_modules/'.length)
  const dist = url.indexOf('/dist/')
  return dist !== -1 ? url.slice(dist + 1) : url.replace(/^file:\/\//, '')
}

/** The top `limit` functions and files by self time, as text (percent of all samples, idle and GC included). */
export function summarizeProfile(file: string, limit = 40): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const fns = new Map<string, number>()
  const files = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (node === undefined) continue
    const f = shortFile(node.callFrame.url)
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${f}:${node.callFrame.lineNumber + 1}`
    fns.set(fn, (fns.get(fn) ?? 0) + us)
    const pkg = f.startsWith('dist/') || f.startsWith('node:') || f.startsWith('(') ? f : f.split('/').slice(0, f.startsWith('@') ? 2 : 1).join('/')
    files.set(pkg, (files.get(pkg) ?? 0) + us)
  }
  // Inclusive time by file: each sample counts once for every file on its stack (what a file and its callees cost).
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const inclusive = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)
      if (node === undefined) break
      const f = shortFile(node.callFrame.url)
      const key = f.startsWith('dist/') || f.startsWith('node:') || f.startsWith('(') ? f : f.split('/').slice(0, f.startsWith('@') ? 2 : 1).join('/')
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + us)
    }
  }
  const pct = (us: number): string => `${((us / total) * 100).toFixed(1).padStart(5)}%`
  const top = (m: Map<string, number>): string[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, us]) => `${pct(us)}  ${k}`)
  return [`total ${(total / 1e6).toFixed(1)} s sampled`, '', 'self time by function:', ...top(fns), '', 'self time by file or package:', ...top(files), '', 'inclusive time by file or package:', ...top(inclusive)].join('\n')
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const file = process.argv[2]
  if (file === undefined) throw new Error('usage: profile-summary.ts FILE.cpuprofile')
  process.stdout.write(`${summarizeProfile(file)}\n`)
}
