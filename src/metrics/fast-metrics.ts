/**
 * Counters, a gauge and histograms for the per-request path, kept as plain numbers and turned into prom-client's
 * metric objects only when scraped. prom-client's own `inc`/`observe` hash and validate the labels on every call,
 * even on a child from `labels()`: at tens of thousands of requests a second that was a measurable share of the
 * process. A Registry accepts any object with `name` and `get()` (prom-client 15 `registerMetric`), and
 * AggregatorRegistry merges these like its own (same value shapes, `aggregator: 'sum'`).
 */

/** One sample as prom-client's registries read it. */
interface Sample {
  value: number
  labels: Record<string, string | number>
  sharedLabels?: Record<string, string | number>
  metricName?: string
}

interface Exported {
  name: string
  help: string
  type: 'counter' | 'gauge' | 'histogram'
  values: Sample[]
  aggregator: 'sum'
}

/** What a registry reads from a metric (the subset of prom-client's Metric it calls). */
export interface FastMetric {
  readonly name: string
  readonly help: string
  readonly type: string
  readonly aggregator: 'sum'
  get(): Promise<Exported>
  getForPromString(): Promise<Exported>
}

const labelsOf = (names: readonly string[], values: readonly string[]): Record<string, string> => {
  const out: Record<string, string> = {}
  names.forEach((n, i) => (out[n] = values[i] ?? ''))
  return out
}

/** A counter child: `inc(n)` adds to a number. */
export interface FastCounterChild {
  inc(by?: number): void
}

/** A counter with labels; `labels(...)` is meant to be called once per label set and the child kept. */
export function createFastCounter(name: string, help: string, labelNames: readonly string[]) {
  const children = new Map<string, { labels: Record<string, string>; value: number; used: boolean; inc(by?: number): void }>()
  // As with prom-client, a label set is exported once it has been incremented (by 0 included), not when bound.
  const exported = async (): Promise<Exported> => ({
    name,
    help,
    type: 'counter',
    aggregator: 'sum',
    values: [...children.values()].filter((c) => c.used).map((c) => ({ value: c.value, labels: { ...c.labels } })),
  })
  return {
    name,
    help,
    type: 'counter',
    aggregator: 'sum' as const,
    get: exported,
    getForPromString: exported,
    labels(...values: string[]): FastCounterChild {
      const key = values.join('\u0000')
      let child = children.get(key)
      if (child === undefined) {
        const c = {
          labels: labelsOf(labelNames, values),
          value: 0,
          used: false,
          inc(by = 1): void {
            c.value += by
            c.used = true
          },
        }
        child = c
        children.set(key, c)
      }
      return child
    },
  }
}

/** A gauge without labels. */
export function createFastGauge(name: string, help: string) {
  let value = 0
  const exported = async (): Promise<Exported> => ({ name, help, type: 'gauge', aggregator: 'sum', values: [{ value, labels: {} }] })
  return {
    name,
    help,
    type: 'gauge',
    aggregator: 'sum' as const,
    get: exported,
    getForPromString: exported,
    inc(): void {
      value++
    },
    dec(): void {
      value--
    },
  }
}

/** A histogram child: `observe(v)` counts v into its bucket. */
export interface FastHistogramChild {
  observe(value: number): void
}

interface HistogramState {
  labels: Record<string, string>
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  counts: number[]
  sum: number
  count: number
}

/** A histogram with labels and fixed upper bounds, exported with cumulative `le` buckets as prom-client does. */
export function createFastHistogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
  const bounds = [...buckets].sort((a, b) => a - b)
  const children = new Map<string, HistogramState & FastHistogramChild>()
  const samples = (promString: boolean): Sample[] => {
    const out: Sample[] = []
    for (const c of children.values()) {
      // As with prom-client, a label set is exported once observed, not when bound.
      if (c.count === 0) continue
      const shared = { ...c.labels }
      const withLe = (le: number | string): Pick<Sample, 'labels' | 'sharedLabels'> =>
        promString ? { labels: { le }, sharedLabels: shared } : { labels: { le, ...shared } }
      let acc = 0
      bounds.forEach((bound, i) => {
        acc += c.counts[i] ?? 0
        out.push({ value: acc, ...withLe(bound), metricName: `${name}_bucket` })
      })
      out.push({ value: c.count, ...withLe('+Inf'), metricName: `${name}_bucket` })
      out.push({ value: c.sum, ...(promString ? { labels: {}, sharedLabels: shared } : { labels: { ...shared } }), metricName: `${name}_sum` })
      out.push({ value: c.count, ...(promString ? { labels: {}, sharedLabels: shared } : { labels: { ...shared } }), metricName: `${name}_count` })
    }
    return out
  }
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum' as const,
    get: async (): Promise<Exported> => ({ name, help, type: 'histogram', aggregator: 'sum', values: samples(false) }),
    getForPromString: async (): Promise<Exported> => ({ name, help, type: 'histogram', aggregator: 'sum', values: samples(true) }),
    labels(...values: string[]): FastHistogramChild {
      const key = values.join('\u0000')
      let child = children.get(key)
      if (child === undefined) {
        const c: HistogramState & FastHistogramChild = {
          labels: labelsOf(labelNames, values),
          counts: new Array<number>(bounds.length + 1).fill(0),
          sum: 0,
          count: 0,
          observe(value: number): void {
            if (!Number.isFinite(value)) return
            let i = 0
            while (i < bounds.length && value > (bounds[i] as number)) i++
            c.counts[i] = (c.counts[i] ?? 0) + 1
            c.sum += value
            c.count++
          },
        }
        child = c
        children.set(key, c)
      }
      return child
    },
  }
}
