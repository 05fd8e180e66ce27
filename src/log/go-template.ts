/** The three log kinds oauth2-proxy formats with its own template each. */
export type LogKind = 'request' | 'auth' | 'standard'

/** The fields each kind's template may name, as oauth2-proxy's logger structs define them (reference §1.10). */
export const TEMPLATE_FIELDS: Readonly<Record<LogKind, readonly string[]>> = {
  auth: ['Client', 'Host', 'Message', 'Protocol', 'RequestID', 'RequestMethod', 'Timestamp', 'UserAgent', 'Username', 'Status'],
  request: [
    'Client', 'Host', 'Protocol', 'RequestID', 'RequestMethod', 'Timestamp', 'UserAgent', 'Username',
    'RequestDuration', 'RequestURI', 'ResponseSize', 'StatusCode', 'Upstream',
  ],
  standard: ['Timestamp', 'File', 'Message'],
}

/** A template compiled once at start: literal text and field names alternate. */
export type CompiledTemplate = (data: Readonly<Record<string, string>>) => string

type Part = { text: string } | { field: string }

/** Parses a template, or explains why it is not one gatehouse can render (only `{{.Field}}` actions). */
export function parseLogTemplate(source: string, kind: LogKind): { ok: true; parts: Part[] } | { ok: false; problem: string } {
  const allowed = TEMPLATE_FIELDS[kind]
  const parts: Part[] = []
  let rest = source
  while (rest.length > 0) {
    const open = rest.indexOf('{{')
    if (open === -1) {
      parts.push({ text: rest })
      break
    }
    if (open > 0) parts.push({ text: rest.slice(0, open) })
    const close = rest.indexOf('}}', open + 2)
    if (close === -1) return { ok: false, problem: 'unclosed "{{" action' }
    const action = rest.slice(open + 2, close).trim()
    const m = /^\.([A-Za-z][A-Za-z0-9]*)$/.exec(action)
    if (m === null) return { ok: false, problem: `unsupported action "{{${action}}}": only {{.Field}} is understood` }
    const field = m[1] ?? ''
    if (!allowed.includes(field)) return { ok: false, problem: `unknown field .${field}; ${kind} log fields: ${allowed.join(', ')}` }
    parts.push({ field })
    rest = rest.slice(close + 2)
  }
  return { ok: true, parts }
}

/** The config check of a `*-logging-format` option. */
export function logTemplateProblem(kind: LogKind): (value: string) => string | undefined {
  return (value) => {
    const parsed = parseLogTemplate(value, kind)
    return parsed.ok ? undefined : parsed.problem
  }
}

/** Compiles a template into one function that concatenates its parts; throws on a template the check refuses. */
export function compileLogTemplate(source: string, kind: LogKind): CompiledTemplate {
  const parsed = parseLogTemplate(source, kind)
  if (!parsed.ok) throw new Error(`bad ${kind} log template: ${parsed.problem}`)
  const parts = parsed.parts
  return (data) => {
    let line = ''
    for (const p of parts) line += 'text' in p ? p.text : (data[p.field] ?? '')
    return line
  }
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** Go's `2006/01/02 15:04:05` layout that oauth2-proxy writes, in local time or UTC. */
export function formatLogTimestamp(date: Date, localTime: boolean): string {
  return localTime
    ? `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    : `${date.getUTCFullYear()}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
}

/** A double-quoted string like Go's `%q` (which oauth2-proxy uses for the request URI and user agent). */
export function quoteGo(value: string): string {
  return JSON.stringify(value).replace(/\\u00([0-9a-f]{2})/g, '\\x$1')
}

/** oauth2-proxy's default template of each kind. */
export const DEFAULT_LOG_TEMPLATES: Readonly<Record<LogKind, string>> = {
  request:
    '{{.Client}} - {{.RequestID}} - {{.Username}} [{{.Timestamp}}] {{.Host}} {{.RequestMethod}} {{.Upstream}} {{.RequestURI}} {{.Protocol}} {{.UserAgent}} {{.StatusCode}} {{.ResponseSize}} {{.RequestDuration}}',
  auth: '{{.Client}} - {{.RequestID}} - {{.Username}} [{{.Timestamp}}] [{{.Status}}] {{.Message}}',
  standard: '[{{.Timestamp}}] [{{.File}}] {{.Message}}',
}
