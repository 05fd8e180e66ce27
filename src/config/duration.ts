/** Nanoseconds per unit Go's `time.ParseDuration` accepts (both micro signs included). */
const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 MICRO SIGN
  'μs': 1_000n, // U+03BC GREEK SMALL LETTER MU
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
}

/** Go's `time.Duration` is an int64 of nanoseconds; larger values are an error there too. */
const MAX_DURATION_NS = 9_223_372_036_854_775_807n

/** A parsed duration in milliseconds, or why the text is not one. */
export type DurationResult = { ok: true; ms: number } | { ok: false; problem: string }

/** The hint given for a number written without a unit, e.g. `"300" has no unit: write 300s or 5m`. */
export function missingUnitProblem(text: string): string {
  const n = Number(text)
  const alternative = Number.isInteger(n) && n >= 60 && n % 60 === 0 ? `${n / 60}m` : `${text}ms`
  return `"${text}" has no unit: write ${text}s or ${alternative} (units: ns, us, ms, s, m, h)`
}

/**
 * Parses Go `time.ParseDuration` syntax (`168h`, `1h30m`, `1.5h`, `300ms`, `-2s`, `0`) into milliseconds.
 * A bare number other than `0` is refused with a hint to add a unit (oauth2-proxy would read a TOML integer as nanoseconds).
 */
export function parseGoDuration(text: string): DurationResult {
  let s = text
  let sign = 1
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -1
    s = s.slice(1)
  }
  if (s === '0') return { ok: true, ms: 0 }
  if (s === '') return { ok: false, problem: `"${text}" is not a duration: write a number with a unit, such as 30s, 15m or 168h` }
  if (/^\d+(\.\d*)?$|^\.\d+$/.test(s)) return { ok: false, problem: missingUnitProblem(text) }
  // Exact integer nanoseconds, truncating fractions as Go does, so 1.1s is 1100 ms and not 1100.0000000000002.
  let total = 0n
  const part = /^(\d*)(?:\.(\d*))?([^\d.]*)/
  while (s !== '') {
    const m = part.exec(s)
    const whole = m?.[1] ?? ''
    const fraction = m?.[2] ?? ''
    const unit = m?.[3] ?? ''
    if (m === null || (whole === '' && fraction === '')) {
      return { ok: false, problem: `"${text}" is not a duration: expected a number before each unit (e.g. 1h30m)` }
    }
    if (unit === '') return { ok: false, problem: `"${text}" is not a duration: "${whole}${fraction === '' ? '' : `.${fraction}`}" needs a unit (ns, us, ms, s, m, h)` }
    const factor = UNIT_NS[unit]
    if (factor === undefined) return { ok: false, problem: `"${text}" is not a duration: unknown unit "${unit}" (use ns, us, ms, s, m or h)` }
    total += BigInt(whole === '' ? '0' : whole) * factor
    if (fraction !== '') total += (BigInt(fraction) * factor) / 10n ** BigInt(fraction.length)
    if (total > MAX_DURATION_NS) break
    s = s.slice(m[0].length)
  }
  if (total > MAX_DURATION_NS) return { ok: false, problem: `"${text}" is too long a duration (the limit is about 2562047h)` }
  const ms = (sign * Number(total)) / 1e6
  return { ok: true, ms: ms === 0 ? 0 : ms }
}

/** Renders milliseconds compactly in Go duration syntax: `168h`, `1h30m`, `15m`, `1s`, `250ms`, `0`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0'
  const sign = ms < 0 ? '-' : ''
  let rest = Math.abs(ms)
  let out = ''
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    const n = Math.floor(rest / size)
    if (n > 0) {
      out += `${n}${unit}`
      rest -= n * size
    }
  }
  if (rest > 0) out += `${rest}ms`
  return sign + out
}
