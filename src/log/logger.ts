import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino'

/** The logger every module receives: pino's, so child loggers and levels work as documented. */
export type Logger = PinoLogger

/** Paths that may carry secrets; pino replaces them before a line is written. */
const REDACT_PATHS = [
  'cookie', 'cookies', 'authorization', 'accessToken', 'idToken', 'refreshToken', 'code', 'clientSecret', 'cookieSecret',
  '*.cookie', '*.cookies', '*.authorization', '*.accessToken', '*.idToken', '*.refreshToken', '*.clientSecret', '*.cookieSecret',
  'headers.cookie', 'headers.authorization', 'headers["set-cookie"]',
]

/** Creates the root JSON-lines logger (one object a line on stdout, or the given stream). */
export function createLogger(options: { level?: string; destination?: DestinationStream; redact?: boolean } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.redact === false ? {} : { redact: { paths: REDACT_PATHS, censor: '[redacted]' } }),
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  )
}

/**
 * The process's two loggers on one output stream: `log` redacts the paths above; `access` writes the access log,
 * whose fields are built from a fixed list with secrets already removed, without the per-line cost of redaction.
 */
export function createLoggers(options: { level?: string; destination?: DestinationStream } = {}): { log: Logger; access: Logger } {
  const destination = options.destination ?? pino.destination({ fd: 1, sync: false })
  return {
    log: createLogger({ ...options, destination }),
    access: createLogger({ ...options, destination, redact: false }),
  }
}
