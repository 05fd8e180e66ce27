import type { ConfigIssue } from '../errors.js'
import type { OptionMeta, OptionValue } from './option-meta.js'

/** One option's value from one source, with how to name it back to the user. */
export interface Setting {
  value: OptionValue
  /** Where it came from, as the user wrote it: `--flag`, `OAUTH2_PROXY_X` or `cfg key "x" in FILE`. */
  label: string
  /** The value as text for messages; undefined for secrets. */
  display: string | undefined
  /** Per-item origins, when a list's items came from different places. */
  itemLabels?: string[]
}

/** The settings one source provides, keyed by Config field. */
export type Layer = Map<string, Setting>

/** What reading one source gave. */
export interface LayerResult {
  layer: Layer
  issues: ConfigIssue[]
  warnings: string[]
}

/** Text shown for a value in messages: nothing for secrets, lists joined with commas. */
export function displayOf(meta: OptionMeta, value: OptionValue, text?: string): string | undefined {
  if (meta.secret) return undefined
  if (text !== undefined) return text
  return Array.isArray(value) ? value.join(',') : String(value)
}

/** An issue about one source's value, never echoing a secret. */
export function valueIssue(meta: OptionMeta, label: string, text: string, message: string): ConfigIssue {
  return meta.secret ? { option: label, message } : { option: label, value: text, message }
}
