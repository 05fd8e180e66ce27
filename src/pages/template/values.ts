/** HTML trusted by the operator (Go's `template.HTML`): written as is in element text, never escaped there. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html
  }
}

/** Marks operator-written HTML (banner, footer, logo) as trusted, as oauth2-proxy passes them as `template.HTML`. */
export function safeHtml(html: string): SafeHtml {
  return new SafeHtml(html)
}

/** A value a template can see: the page data, its fields, literals and what functions return. */
export type Value = string | number | boolean | null | undefined | SafeHtml | readonly Value[] | { readonly [key: string]: Value }

/** Go's truth: false, 0, nil and empty strings, slices and maps are false. */
export function isTrue(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false
  if (v instanceof SafeHtml) return v.html !== ''
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === 'object') return Object.keys(v).length > 0
  return true
}

/** How Go's fmt prints a value with `%v` (and templates print an action's value). */
export function printValue(v: Value): string {
  if (v === null || v === undefined) return '<no value>'
  if (v instanceof SafeHtml) return v.html
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`
  if (typeof v === 'object') {
    return `map[${Object.keys(v).sort().map((k) => `${k}:${printValue((v as Record<string, Value>)[k])}`).join(' ')}]`
  }
  return String(v)
}

/** The Go type name of a value, for error messages. */
export function typeName(v: Value): string {
  if (v === null || v === undefined) return 'nil'
  if (v instanceof SafeHtml) return 'template.HTML'
  if (typeof v === 'string') return 'string'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64'
  if (typeof v === 'boolean') return 'bool'
  if (Array.isArray(v)) return 'slice'
  return 'struct'
}
