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
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  )
}
