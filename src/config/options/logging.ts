import { defineOptions } from '../define.js'
import { headerNameProblem } from '../formats.js'

const o = defineOptions('logging')

/** Access, auth and standard logs. */
export const loggingOptions = {
  authLogging: o.bool('auth-logging', true, 'Log sign-in successes, failures and errors.'),
  authLoggingFormat: o.string(
    'auth-logging-format',
    '{{.Client}} - {{.RequestID}} - {{.Username}} [{{.Timestamp}}] [{{.Status}}] {{.Message}}',
    'Go template of an auth log line.',
  ),
  requestLogging: o.bool('request-logging', true, 'Log one line per request (access log).'),
  requestLoggingFormat: o.string(
    'request-logging-format',
    '{{.Client}} - {{.RequestID}} - {{.Username}} [{{.Timestamp}}] {{.Host}} {{.RequestMethod}} {{.Upstream}} {{.RequestURI}} {{.Protocol}} {{.UserAgent}} {{.StatusCode}} {{.ResponseSize}} {{.RequestDuration}}',
    'Go template of an access log line.',
  ),
  standardLogging: o.bool('standard-logging', true, 'Log everything else (start-up, warnings, errors).'),
  standardLoggingFormat: o.string('standard-logging-format', '[{{.Timestamp}}] [{{.File}}] {{.Message}}', 'Go template of a standard log line.'),
  errorsToInfoLog: o.bool('errors-to-info-log', false, 'Write errors to stdout with the other logs instead of stderr.'),
  excludeLoggingPaths: o.list('exclude-logging-path', 'Request paths left out of the access log.'),
  loggingLocalTime: o.bool('logging-local-time', true, 'Timestamps in local time; false for UTC.'),
  silencePingLogging: o.bool('silence-ping-logging', false, 'Leave ping and ready probes out of the access log.'),
  requestIdHeader: o.string('request-id-header', 'X-Request-Id', 'Header that carries the request ID; a random one is made when it is missing.', {
    check: headerNameProblem,
  }),
  loggingFilename: o.string('logging-filename', '', 'Write logs to this file (rotated) instead of stdout.'),
  loggingMaxSize: o.int('logging-max-size', 100, 'Size in megabytes at which the log file is rotated.', { min: 0 }),
  loggingMaxAge: o.int('logging-max-age', 7, 'Days rotated log files are kept.', { min: 0 }),
  loggingMaxBackups: o.int('logging-max-backups', 0, 'Rotated log files kept (0 = all).', { min: 0 }),
  loggingCompress: o.bool('logging-compress', false, 'Gzip rotated log files.'),
}
