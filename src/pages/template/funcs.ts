import { isTrue, printValue, SafeHtml, typeName, type Value } from './values.js'

/** A template function; throwing an Error stops the template with its message. */
export type TemplateFunc = (...args: Value[]) => Value

type Kind = 'string' | 'int' | 'float' | 'bool' | 'nil' | 'other'

function kindOf(v: Value): Kind {
  if (v === null || v === undefined) return 'nil'
  if (typeof v === 'string' || v instanceof SafeHtml) return 'string'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float'
  if (typeof v === 'boolean') return 'bool'
  return 'other'
}

const basic = (v: Value): string | number | boolean | null => (v instanceof SafeHtml ? v.html : v === undefined ? null : (v as string | number | boolean | null))

function compare(a: Value, b: Value, op: string, ordered: boolean): number {
  const ka = kindOf(a)
  const kb = kindOf(b)
  const numeric = (k: Kind): boolean => k === 'int' || k === 'float'
  if (ka !== kb && !(numeric(ka) && numeric(kb))) throw new Error(`error calling ${op}: incompatible types for comparison`)
  if (ka === 'other' || (ordered && (ka === 'bool' || ka === 'nil'))) throw new Error(`error calling ${op}: invalid type for comparison`)
  const x = basic(a)
  const y = basic(b)
  if (x === y) return 0
  if (!ordered) return 1
  return (x as number | string) < (y as number | string) ? -1 : 1
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: readonly Value[]): string {
  let out = ''
  args.forEach((a, i) => {
    const prev = args[i - 1]
    if (i > 0 && kindOf(a) !== 'string' && kindOf(prev) !== 'string') out += ' '
    out += printValue(a)
  })
  return out
}

/** Go's fmt.Sprintf for the verbs templates use: %v %s %d %q %t %x %X %f %%, with width, precision and `-`/`0`. */
export function sprintf(format: string, args: readonly Value[]): string {
  let n = 0
  const out = format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%'
    if (n >= args.length) return `%!${verb}(MISSING)`
    const a = args[n++]
    let s: string
    switch (verb) {
      case 'v':
      case 's':
        s = printValue(a)
        if (prec !== undefined && verb === 's') s = s.slice(0, Number(prec))
        break
      case 'q':
        s = JSON.stringify(printValue(a))
        break
      case 'd':
        if (kindOf(a) !== 'int') return `%!d(${typeName(a)}=${printValue(a)})`
        s = String(a)
        if (flags.includes('+') && (a as number) >= 0) s = `+${s}`
        break
      case 't':
        s = printValue(a)
        break
      case 'x':
      case 'X':
        s = typeof a === 'number' ? a.toString(16) : Buffer.from(printValue(a), 'utf8').toString('hex')
        if (verb === 'X') s = s.toUpperCase()
        break
      case 'f':
        if (typeof a !== 'number') return `%!f(${typeName(a)}=${printValue(a)})`
        s = a.toFixed(prec === undefined ? 6 : Number(prec))
        break
      default:
        return `%!${verb}(${typeName(a)}=${printValue(a)})`
    }
    const w = width === undefined ? 0 : Number(width)
    if (s.length >= w) return s
    if (flags.includes('-')) return s.padEnd(w)
    return flags.includes('0') && /^[-+]?\d/.test(s) ? s.padStart(w, '0') : s.padStart(w)
  })
  return n < args.length ? `${out}%!(EXTRA ${args.slice(n).map((a) => `${typeName(a)}=${printValue(a)}`).join(', ')})` : out
}

function goLen(v: Value): number {
  if (typeof v === 'string' || v instanceof SafeHtml) return Buffer.byteLength(printValue(v), 'utf8')
  if (Array.isArray(v)) return v.length
  if (v !== null && typeof v === 'object') return Object.keys(v).length
  throw new Error(`error calling len: len of type ${typeName(v)}`)
}

function goIndex(item: Value, ...keys: Value[]): Value {
  let v = item
  for (const k of keys) {
    if (Array.isArray(v)) {
      if (typeof k !== 'number' || !Number.isInteger(k)) throw new Error(`error calling index: cannot index slice/array with type ${typeName(k)}`)
      if (k < 0 || k >= v.length) throw new Error(`error calling index: index out of range: ${k}`)
      v = v[k]
    } else if (v !== null && typeof v === 'object' && !(v instanceof SafeHtml) && typeof k === 'string') {
      v = Object.hasOwn(v, k) ? (v as Record<string, Value>)[k] : undefined
    } else throw new Error(`error calling index: can't index item of type ${typeName(v)}`)
  }
  return v
}

/** Go's text/template HTMLEscapeString. */
function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c)
}

/** Go's text/template JSEscapeString. */
function jsEscape(s: string): string {
  let out = ''
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0
    if (c === '\\' || c === "'" || c === '"') out += `\\${c}`
    else if (c === '<' || c === '>' || c === '&' || c === '=' || code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
    else out += c
  }
  return out
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : c === ' ' ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

function goSlice(item: Value, ...idx: Value[]): Value {
  const ints = idx.map((i) => {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw new Error('error calling slice: index must be an integer')
    return i
  })
  const s = typeof item === 'string' ? item : Array.isArray(item) ? item : undefined
  if (s === undefined) throw new Error(`error calling slice: can't slice item of type ${typeName(item)}`)
  const from = ints[0] ?? 0
  const to = ints[1] ?? s.length
  if (from < 0 || to < from || to > s.length) throw new Error(`error calling slice: index out of range: ${to}`)
  return s.slice(from, to)
}

/**
 * The functions a page template may call: Go's builtins plus the two oauth2-proxy registers (ToUpper, ToLower).
 * `and` and `or` are evaluated lazily by the executor, like Go's.
 */
export const FUNCS: Readonly<Record<string, TemplateFunc>> = {
  not: (v) => !isTrue(v),
  len: (v) => goLen(v),
  index: goIndex,
  slice: goSlice,
  print: (...a) => sprint(a),
  printf: (f, ...a) => sprintf(printValue(f), a),
  println: (...a) => `${a.map(printValue).join(' ')}\n`,
  html: (...a) => htmlEscape(sprint(a)),
  js: (...a) => jsEscape(sprint(a)),
  urlquery: (...a) => queryEscape(sprint(a)),
  eq: (a, ...rest) => {
    if (rest.length === 0) throw new Error('error calling eq: missing argument for comparison')
    return rest.some((b) => compare(a, b, 'eq', false) === 0)
  },
  ne: (a, b) => compare(a, b, 'ne', false) !== 0,
  lt: (a, b) => compare(a, b, 'lt', true) < 0,
  le: (a, b) => compare(a, b, 'le', true) <= 0,
  gt: (a, b) => compare(a, b, 'gt', true) > 0,
  ge: (a, b) => compare(a, b, 'ge', true) >= 0,
  ToUpper: (s) => printValue(s).toUpperCase(),
  ToLower: (s) => printValue(s).toLowerCase(),
}

/** Every name a pipeline may call, `and` and `or` included. */
export const FUNC_NAMES: ReadonlySet<string> = new Set([...Object.keys(FUNCS), 'and', 'or'])
