// `node --import tsx bench/heap-summary.ts FILE.heapsnapshot [OTHER.heapsnapshot]`: where a V8 heap snapshot's bytes
// are, by node type and constructor (self size, the bytes each object holds itself), the largest HEAP_TOP (default 30)
// groups first. With a second snapshot, the groups are ranked by what grew from the first to the second.
import { readFileSync } from 'node:fs'

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

/** Bytes and count per "type: name" group (strings are one group per string type, not one per value). */
function groups(file: string): Map<string, { bytes: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot
  const fields = snap.snapshot.meta.node_fields
  const types = snap.snapshot.meta.node_types[0]
  const width = fields.length
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')]
  const out = new Map<string, { bytes: number; count: number }>()
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] ?? 0] ?? '?'
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array' || type === 'code'
    const name = named ? (snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '').slice(0, 60) : ''
    const key = named ? `${type}: ${name}` : type
    const g = out.get(key) ?? { bytes: 0, count: 0 }
    g.bytes += snap.nodes[i + sizeAt] ?? 0
    g.count += 1
    out.set(key, g)
  }
  return out
}

const TOP = Number(process.env['HEAP_TOP'] ?? 30)
const [first, second] = process.argv.slice(2)
if (first === undefined) throw new Error('give a .heapsnapshot file (and optionally a later one)')
const a = groups(first)
const mib = (n: number): string => (n / 1048576).toFixed(2)
const total = (m: Map<string, { bytes: number }>): number => [...m.values()].reduce((s, g) => s + g.bytes, 0)
if (second === undefined) {
  process.stdout.write(`${first}: ${mib(total(a))} MiB in ${[...a.values()].reduce((s, g) => s + g.count, 0)} objects\n| group | MiB | count |\n|---|---:|---:|\n`)
  for (const [k, g] of [...a].sort((x, y) => y[1].bytes - x[1].bytes).slice(0, TOP)) process.stdout.write(`| ${k} | ${mib(g.bytes)} | ${g.count} |\n`)
} else {
  const b = groups(second)
  process.stdout.write(`${first} → ${second}: ${mib(total(a))} → ${mib(total(b))} MiB\n| group | MiB before | MiB after | count before | count after |\n|---|---:|---:|---:|---:|\n`)
  const keys = [...new Set([...a.keys(), ...b.keys()])]
  const growth = (k: string): number => (b.get(k)?.bytes ?? 0) - (a.get(k)?.bytes ?? 0)
  for (const k of keys.sort((x, y) => growth(y) - growth(x)).slice(0, TOP)) {
    const [ga, gb] = [a.get(k), b.get(k)]
    process.stdout.write(`| ${k} | ${mib(ga?.bytes ?? 0)} | ${mib(gb?.bytes ?? 0)} | ${ga?.count ?? 0} | ${gb?.count ?? 0} |\n`)
  }
}
