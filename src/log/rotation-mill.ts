import { createReadStream, createWriteStream, readdirSync, unlinkSync } from 'node:fs'
import { basename, dirname, extname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'

/** What lumberjack's mill does after a rotation: remove backups past the count or the age, gzip the rest. */
export interface MillOptions {
  filename: string
  /** Backups kept; 0 keeps all (subject to `maxAgeDays`). */
  maxBackups: number
  /** Days a backup is kept, judged by the time in its name; 0 keeps them whatever their age. */
  maxAgeDays: number
  compress: boolean
  now: () => number
}

const DAY_MS = 24 * 60 * 60 * 1000
const STAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/

/** `2006-01-02T15-04-05.000` of `t`, in local time or UTC (lumberjack's backupTimeFormat). */
export function backupStamp(t: Date, localTime: boolean): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  const [y, mo, d, h, mi, s, ms] = localTime
    ? [t.getFullYear(), t.getMonth() + 1, t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds(), t.getMilliseconds()]
    : [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), t.getUTCMilliseconds()]
  return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}-${p(mi)}-${p(s)}.${p(ms, 3)}`
}

/** `dir/name-<stamp>.ext` for `dir/name.ext` (lumberjack's backupName). */
export function backupName(filename: string, t: Date, localTime: boolean): string {
  const ext = extname(filename)
  return join(dirname(filename), `${basename(filename, ext)}-${backupStamp(t, localTime)}${ext}`)
}

/** The backups of `filename` in its directory, newest first; the time is read from the name as UTC, as lumberjack does. */
export function listBackups(filename: string): { name: string; time: number }[] {
  const ext = extname(filename)
  const prefix = `${basename(filename, ext)}-`
  const out: { name: string; time: number }[] = []
  for (const entry of readdirSync(dirname(filename))) {
    if (!entry.startsWith(prefix)) continue
    const rest = entry.slice(prefix.length)
    const stamp = rest.endsWith(`${ext}.gz`) ? rest.slice(0, -(ext.length + 3)) : rest.endsWith(ext) ? rest.slice(0, rest.length - ext.length) : undefined
    const m = stamp === undefined ? null : STAMP.exec(stamp)
    if (m === null) continue
    const [, y, mo, d, h, mi, s, ms] = m.map(Number)
    out.push({ name: join(dirname(filename), entry), time: Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0, ms ?? 0) })
  }
  return out.sort((a, b) => b.time - a.time)
}

/** Gzips `name` to `name.gz` and removes it. */
async function compressFile(name: string): Promise<void> {
  await pipeline(createReadStream(name), createGzip(), createWriteStream(`${name}.gz`, { mode: 0o600 }))
  unlinkSync(name)
}

/** One pass of lumberjack's millRunOnce. Returns the problems met (the caller reports them once). */
export async function millOnce(options: MillOptions): Promise<string[]> {
  if (options.maxBackups === 0 && options.maxAgeDays === 0 && !options.compress) return []
  let files = listBackups(options.filename)
  const remove: string[] = []
  if (options.maxBackups > 0 && options.maxBackups < files.length) {
    // A backup and its .gz twin count once.
    const kept = new Set<string>()
    const remaining: typeof files = []
    for (const f of files) {
      const plain = f.name.replace(/\.gz$/, '')
      if (kept.has(plain) || kept.size < options.maxBackups) {
        kept.add(plain)
        remaining.push(f)
      } else {
        remove.push(f.name)
      }
    }
    files = remaining
  }
  if (options.maxAgeDays > 0) {
    const cutoff = options.now() - options.maxAgeDays * DAY_MS
    const young: typeof files = []
    for (const f of files) {
      if (f.time < cutoff) remove.push(f.name)
      else young.push(f)
    }
    files = young
  }
  const problems: string[] = []
  for (const name of remove) {
    try {
      unlinkSync(name)
    } catch (err) {
      problems.push(`cannot remove old log file ${name}: ${(err as Error).message}`)
    }
  }
  if (options.compress) {
    for (const f of files) {
      if (f.name.endsWith('.gz')) continue
      try {
        await compressFile(f.name)
      } catch (err) {
        problems.push(`cannot compress log file ${f.name}: ${(err as Error).message}`)
      }
    }
  }
  return problems
}
