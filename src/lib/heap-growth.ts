/**
 * How far V8 lets the old generation grow past what survived the last full collection, in percent. V8's own factor
 * goes up to 4× when collection is fast, which it is for gatehouse's small live heap (about 20 MiB at rest, under
 * 40 MiB with 10,000 sessions cached): under load the heap then fills with garbage up to several times that before a
 * full collection. 25% keeps the resident set about 20 MiB lower under load and 55 MiB lower over 10,000 sessions,
 * at no CPU cost that interleaved runs could measure (docs/performance.md, "Memory").
 */
export const HEAP_GROWING_PERCENT = 25

const OPERATOR_SET = /(^|\s)--heap[-_]growing[-_]percent(=|\s|$)/

/** The V8 flag gatehouse sets for itself at start, or undefined when the operator chose one (a node flag or NODE_OPTIONS). */
export function heapGrowthFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  if (execArgv.some((a) => OPERATOR_SET.test(a)) || OPERATOR_SET.test(nodeOptions ?? '')) return undefined
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
}
