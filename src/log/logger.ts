import { pino, type Logger as PinoLogger, type DestinationStream, type LogFn } from 'pino'
import { createBatchedFd } from './batched-fd.js'
import { compileLogTemplate, type CompiledTemplate, type LogKind } from './go-template.js'
import { createTextFields, type RequestInfo } from './text-fields.js'

/** The logger every module receives: pino's, so child loggers and levels work as documented. */
export type Logger = PinoLogger

/** Paths that may carry secrets; pino replaces them before a line is written. */
const REDACT_PATHS = [
  'cookie', 'cookies', 'authorization', 'accessToken', 'idToken', 'refreshToken', 'code', 'clientSecret', 'cookieSecret',
  '*.cookie', '*.cookies', '*.authorization', '*.accessToken', '*.idToken', '*.refreshToken', '*.clientSecret', '*.cookieSecret',
  'headers.cookie', 'headers.authorization', 'headers["set-cookie"]',
]

/** Where and how the three log kinds are written (built from Config by `logSettingsFromConfig`). */
export interface LogSettings {
  level?: string
  /** Which kinds are written at all (`--request-logging`, `--auth-logging`, `--standard-logging`). */
  enabled: Readonly<Record<LogKind, boolean>>
  /** The kinds written as text, with their template; the others are JSON lines. */
  templates: Readonly<Partial<Record<LogKind, string>>>
  /** Error-level lines go to stdout (or the log file) instead of stderr. */
  errorsToInfo: boolean
  /** Text timestamps in local time instead of UTC. */
  localTime: boolean
  /** Added to every JSON line (a `--workers` process adds its pid). */
  fields?: Readonly<Record<string, string | number>>
}

/** The default settings: every kind on, all JSON, errors on stderr. */
export const JSON_LOG_SETTINGS: LogSettings = { enabled: { request: true, auth: true, standard: true }, templates: {}, errorsToInfo: false, localTime: true }

const REQUEST_INFO = Symbol('gatehouse.requestInfo')

/** Attaches the request a child logger belongs to, for the text templates' Host, Protocol, ... fields (never serialized). */
export function bindRequest(child: Logger, info: RequestInfo): Logger {
  Object.defineProperty(child, REQUEST_INFO, { value: info, enumerable: false })
  return child
}

/** The kind of a log call, from its stable event name. */
export function kindOfEvent(event: unknown): LogKind {
  if (typeof event !== 'string') return 'standard'
  if (event === 'http.request') return 'request'
  return event.startsWith('auth.') || event.startsWith('session.refresh.') ? 'auth' : 'standard'
}

let lastTimeMs = -1
let lastTime = ''

/** pino's `isoTime`, computed once per millisecond: a busy proxy writes many lines in the same one. */
function isoTime(): string {
  const now = Date.now()
  if (now !== lastTimeMs) {
    lastTimeMs = now
    lastTime = `,"time":"${new Date(now).toISOString()}"`
  }
  return lastTime
}

function baseOptions(level: string | undefined, fields?: Readonly<Record<string, string | number>>): pino.LoggerOptions {
  return {
    level: level ?? 'info',
    base: { service: 'gatehouse', ...fields },
    timestamp: isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }
}

/** Creates a plain JSON-lines logger (one object a line on stdout, or the given stream; main.ts's outputs flush at exit). */
export function createLogger(options: { level?: string; destination?: DestinationStream; redact?: boolean } = {}): Logger {
  return pino(
    { ...baseOptions(options.level), ...(options.redact === false ? {} : { redact: { paths: REDACT_PATHS, censor: '[redacted]' } }) },
    options.destination ?? createBatchedFd(1),
  )
}

/** Outputs: `out` for ordinary lines, `err` for error-level lines unless `errorsToInfo`. */
export interface LogOutputs {
  out: DestinationStream
  err: DestinationStream
}

/**
 * The process's two loggers: `log` redacts the paths above; `access` writes the access log, whose fields are built
 * from a fixed list with secrets already removed, without the per-line cost of redaction. A hook drops the kinds that
 * are turned off and renders the text kinds with their precompiled template, bypassing JSON serialization.
 */
export function createLoggers(settings: LogSettings = JSON_LOG_SETTINGS, outputs?: Partial<LogOutputs>): { log: Logger; access: Logger } {
  const out = outputs?.out ?? createBatchedFd(1)
  const err = settings.errorsToInfo ? out : (outputs?.err ?? createBatchedFd(2))
  const json: DestinationStream = err === out ? out : pino.multistream([{ level: 'trace', stream: out }, { level: 'error', stream: err }], { dedupe: true })
  const compiled: Partial<Record<LogKind, CompiledTemplate>> = {}
  for (const kind of ['request', 'auth', 'standard'] as const) {
    const source = settings.templates[kind]
    if (source !== undefined) compiled[kind] = compileLogTemplate(source, kind)
  }
  const fields = createTextFields(settings.localTime)
  const needsHook = Object.keys(compiled).length > 0 || !settings.enabled.auth || !settings.enabled.standard
  const hooks = !needsHook
    ? {}
    : {
        hooks: {
          logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
            const first: unknown = args[0]
            const obj = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : undefined
            const kind = kindOfEvent(obj?.event)
            if (!settings.enabled[kind]) return
            const template = compiled[kind]
            if (template === undefined) {
              method.apply(this, args)
              return
            }
            const second: unknown = args[1]
            const msg = typeof first === 'string' ? first : typeof second === 'string' ? second : ''
            const info = (this as unknown as Record<symbol, RequestInfo | undefined>)[REQUEST_INFO]
            const line = `${template(fields(kind, obj ?? {}, msg, level, info))}\n`
            ;(level >= 50 ? err : out).write(line)
          },
        },
      }
  const access = pino({ ...baseOptions(settings.level, settings.fields), ...hooks }, json)
  // A JSON access line at info level goes to `out` whatever the other settings: written there directly.
  if (compiled.request === undefined && settings.enabled.request && access.isLevelEnabled('info')) {
    const base = `,"service":"gatehouse"${Object.entries(settings.fields ?? {}).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('')}`
    const write: AccessLineWriter = (members) => out.write(`{"level":"info"${isoTime()}${base}${members}}\n`)
    Object.defineProperty(access, ACCESS_LINE, { value: write, enumerable: false, configurable: true })
  }
  return {
    log: pino({ ...baseOptions(settings.level, settings.fields), ...hooks, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, json),
    access,
  }
}

const ACCESS_LINE = Symbol('gatehouse.accessLine')

/** Writes one JSON access line given its members after the common ones (`,"event":…,…`), as pino would write it. */
export type AccessLineWriter = (members: string) => void

/**
 * The access logger's direct writer, when its lines are plain JSON at info level (no `--request-logging-format`):
 * the access log's fields are a fixed list, so its line is built by hand, without pino's generic serialization.
 */
export function accessLineWriter(access: Logger): AccessLineWriter | undefined {
  return (access as unknown as Record<symbol, AccessLineWriter | undefined>)[ACCESS_LINE]
}
