import { parseGoDuration } from '../duration.js'
import type { Spec } from './spec.js'

/** A problem at a path of the alpha file, such as `upstreamConfig.upstreams[1].pathx`. */
export interface PathIssue {
  readonly path: string
  readonly message: string
}

/** A decoded value: objects keep only the keys the file set, under their canonical names. */
export type Decoded = string | boolean | number | Decoded[] | { [key: string]: Decoded } | { raw: unknown }

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number' : 'a decimal number'
  return `a ${typeof value === 'boolean' ? 'boolean' : typeof value}`
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Finds the canonical key: exact, else case-insensitive (mapstructure matches field names with EqualFold). */
function fieldOf(fields: Readonly<Record<string, Spec>>, key: string): string | undefined {
  if (Object.hasOwn(fields, key)) return key
  const lower = key.toLowerCase()
  return Object.keys(fields).find((name) => name.toLowerCase() === lower)
}

/** Go's mapstructure duration hook: a Go duration string, a float of seconds, or an integer of nanoseconds. */
function decodeDuration(value: unknown, path: string, issues: PathIssue[]): number | undefined {
  if (typeof value === 'string') {
    const parsed = parseGoDuration(value)
    if (parsed.ok) return parsed.ms
    issues.push({ path, message: parsed.problem })
    return undefined
  }
  if (typeof value === 'number') return Number.isInteger(value) ? value / 1e6 : value * 1000
  issues.push({ path, message: `expected a duration such as 30s, got ${typeName(value)}` })
  return undefined
}

/**
 * Decodes a parsed YAML value against its spec, reporting every unknown key and wrong type with its path.
 * A null value (a key written without a value) counts as unset, as in oauth2-proxy.
 */
export function decode(value: unknown, spec: Spec, path: string, issues: PathIssue[]): Decoded | undefined {
  if (value === null || value === undefined) return undefined
  switch (spec.kind) {
    case 'raw':
      return { raw: value }
    case 'string':
    case 'bytes':
      if (typeof value === 'string') return value
      break
    case 'bool':
      if (typeof value === 'boolean') return value
      break
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value
      break
    case 'duration':
      return decodeDuration(value, path, issues)
    case 'list': {
      if (!Array.isArray(value)) break
      const out: Decoded[] = []
      value.forEach((item, i) => {
        const decoded = decode(item, spec.of, `${path}[${i}]`, issues)
        out.push(decoded ?? (spec.of.kind === 'object' ? {} : ''))
      })
      return out
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) break
      const out: { [key: string]: Decoded } = {}
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        const name = fieldOf(spec.fields, key)
        const fieldSpec = name === undefined ? undefined : spec.fields[name]
        if (name === undefined || fieldSpec === undefined) {
          issues.push({ path: join(path, key), message: 'unknown key' })
          continue
        }
        const decoded = decode(inner, fieldSpec, join(path, key), issues)
        if (decoded !== undefined) out[name] = decoded
      }
      return out
    }
  }
  const expected = spec.kind === 'object' ? 'a mapping' : spec.kind === 'list' ? 'a list' : spec.kind === 'int' ? 'a whole number' : `a ${spec.kind === 'bool' ? 'boolean (true or false)' : 'string'}`
  issues.push({ path, message: `expected ${expected}, got ${typeName(value)}` })
  return undefined
}
