// Minimal types for the CommonJS test dependency parse-prometheus-text-format (it ships none).
declare module 'parse-prometheus-text-format' {
  /** One sample; histograms carry `buckets`, `count` and `sum` instead of `value`. */
  export interface PrometheusSample {
    value?: string
    labels?: Record<string, string>
    buckets?: Record<string, string>
    count?: string
    sum?: string
  }
  /** One metric family as prom2json shapes it. */
  export interface PrometheusFamily {
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    metrics: PrometheusSample[]
  }
  /** Parses Prometheus text exposition format; throws on malformed input. */
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[]
}
