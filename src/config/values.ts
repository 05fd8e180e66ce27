import { missingUnitProblem, parseGoDuration } from './duration.js'
import type { OptionKind, OptionMeta, OptionValue } from './option-meta.js'

/** A typed value, or why the input is not one. */
export type Converted = { ok: true; value: OptionValue } | { ok: false; problem: string }

/** Go's `strconv.ParseBool` vocabulary. */
const TRUE_WORDS: readonly string[] = ['1', 't', 'T', 'TRUE', 'true', 'True']
const FALSE_WORDS: readonly string[] = ['0', 'f', 'F', 'FALSE', 'false', 'False']

const EXPECTED: Readonly<Record<OptionKind, string>> = {
  string: 'a string',
  bool: 'true or false (also 1/0, t/f)',
  list: 'a list of strings',
  duration: 'a duration such as 30s, 15m or 168h',
  int: 'a whole number',
}

/** Parses a bool as Go's `strconv.ParseBool` does; undefined when the text is not one. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE_WORDS.includes(text)) return true
  if (FALSE_WORDS.includes(text)) return false
  return undefined
}

/**
 * Splits one flag value the way pflag's StringSlice does (Go `encoding/csv`, one record): commas separate fields,
 * a field may be double-quoted to hold commas (`""` is a quote inside), nothing is trimmed, and empty text is no items.
 */
export function parseCsvRecord(text: string): { ok: true; fields: string[] } | { ok: false; problem: string } {
  if (text === '') return { ok: true, fields: [] }
  const fields: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) return { ok: false, problem: 'a quoted item has no closing "' }
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += text[i]
        i++
      }
      if (i < text.length && text[i] !== ',') return { ok: false, problem: 'unexpected text after a closing " (quote the whole item)' }
    } else {
      const end = text.indexOf(',', i)
      field = end === -1 ? text.slice(i) : text.slice(i, end)
      if (field.includes('"')) return { ok: false, problem: 'a " inside an unquoted item: quote the whole item and double the inner quotes' }
      i = end === -1 ? text.length : end
    }
    fields.push(field)
    if (i >= text.length) return { ok: true, fields }
    i++ // the comma
    if (i === text.length) {
      fields.push('')
      return { ok: true, fields }
    }
  }
}

function fromInt(text: string): Converted {
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) return { ok: false, problem: `"${text}" is not ${EXPECTED.int}` }
  return { ok: true, value: Number(text) }
}

function fromDuration(text: string): Converted {
  const parsed = parseGoDuration(text)
  return parsed.ok ? { ok: true, value: parsed.ms } : { ok: false, problem: parsed.problem }
}

/**
 * Converts the text of a flag or an environment variable. Lists: a flag value is split like pflag (CSV),
 * an environment value on every comma (as viper does).
 */
export function fromText(meta: OptionMeta, text: string, origin: 'flag' | 'env'): Converted {
  switch (meta.kind) {
    case 'string':
      return { ok: true, value: text }
    case 'bool': {
      const b = parseGoBool(text)
      return b === undefined ? { ok: false, problem: `expected ${EXPECTED.bool}` } : { ok: true, value: b }
    }
    case 'list': {
      if (origin === 'env') return { ok: true, value: text.split(',') }
      const csv = parseCsvRecord(text)
      return csv.ok ? { ok: true, value: csv.fields } : { ok: false, problem: csv.problem }
    }
    case 'duration':
      return fromDuration(text)
    case 'int':
      return fromInt(text)
  }
}

function describeToml(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Date) return 'a date'
  if (value !== null && typeof value === 'object') return 'a table'
  return `${typeof value} ${JSON.stringify(value)}`
}

/**
 * Converts a TOML value with viper's weak typing: `"true"` for a bool, a string (comma-separated) for a list,
 * a number or numeric string for an int, a number for a string, and a duration string (or 0) for a duration.
 */
export function fromToml(meta: OptionMeta, value: unknown): Converted {
  const wrong: Converted = { ok: false, problem: `expected ${EXPECTED[meta.kind]}, got ${describeToml(value)}` }
  switch (meta.kind) {
    case 'string':
      if (typeof value === 'string') return { ok: true, value }
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) }
      // mapstructure's weak decoding turns a bool into "1" or "0".
      if (typeof value === 'boolean') return { ok: true, value: value ? '1' : '0' }
      return wrong
    case 'bool':
      if (typeof value === 'boolean') return { ok: true, value }
      if (typeof value === 'number') return { ok: true, value: value !== 0 }
      if (typeof value === 'string') {
        if (value === '') return { ok: true, value: false }
        const b = parseGoBool(value)
        return b === undefined ? wrong : { ok: true, value: b }
      }
      return wrong
    case 'list':
      if (typeof value === 'string') return { ok: true, value: value === '' ? [] : value.split(',') }
      if (Array.isArray(value)) {
        const items: string[] = []
        for (const item of value) {
          if (typeof item === 'string') items.push(item)
          else if (typeof item === 'number' && Number.isFinite(item)) items.push(String(item))
          else return { ok: false, problem: `expected ${EXPECTED.list}, but an item is ${describeToml(item)}` }
        }
        return { ok: true, value: items }
      }
      return wrong
    case 'duration':
      if (typeof value === 'string') return fromDuration(value)
      if (value === 0) return { ok: true, value: 0 }
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: false, problem: missingUnitProblem(String(value)) }
      return wrong
    case 'int':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? { ok: true, value } : wrong
      if (typeof value === 'string') return fromInt(value)
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 }
      return wrong
  }
}
