import { defineOptions } from '../define.js'
import { DEFAULT_LOG_TEMPLATES, logTemplateProblem } from '../../log/go-template.js'
import { headerNameProblem } from '../formats.js'

const o = defineOptions('logging')

/** Access, auth and standard logs. */
export const loggingOptions = {
  authLogging: o.bool('auth-logging', true, 'Log sign-in successes, failures and errors.'),
  authLoggingFormat: o.string('auth-logging-format', DEFAULT_LOG_TEMPLATES.auth, 'Go template of an auth log line; setting it writes auth lines as text.', {
    check: logTemplateProblem('auth'),
  }),
  requestLogging: o.bool('request-logging', true, 'Log one line per request (access log).'),
  requestLoggingFormat: o.string('request-logging-format', DEFAULT_LOG_TEMPLATES.request, 'Go template of an access log line; setting it writes access lines as text.', {
    check: logTemplateProblem('request'),
  }),
  standardLogging: o.bool('standard-logging', true, 'Log everything else (start-up, warnings, errors).'),
  standardLoggingFormat: o.string('standard-logging-format', DEFAULT_LOG_TEMPLATES.standard, 'Go template of a standard log line; setting it writes standard lines as text.', {
    check: logTemplateProblem('standard'),
  }),
  loggingFormat: o.choice('logging-format', ['json', 'text'], 'json', 'gatehouse only: "json" writes one JSON object a line; "text" writes every log in oauth2-proxy\'s templates.'),
  errorsToInfoLog: o.bool('errors-to-info-log', false, 'Write errors to stdout with the other logs instead of stderr.'),
  excludeLoggingPaths: o.list('exclude-logging-path', 'Request paths left out of the access log.'),
  loggingLocalTime: o.bool('logging-local-time', true, 'Text timestamps and rotated log file names in local time; false for UTC.'),
  silencePingLogging: o.bool('silence-ping-logging', false, 'Leave ping and ready probes out of the access log.'),
  requestIdHeader: o.string('request-id-header', 'X-Request-Id', 'Header that carries the request ID; a random one is made when it is missing.', {
    check: headerNameProblem,
  }),
  loggingFilename: o.string('logging-filename', '', 'Write logs to this file (rotated) instead of stdout.'),
  loggingMaxSize: o.int('logging-max-size', 100, 'Size in megabytes at which the log file is rotated.', { min: 0 }),
  loggingMaxAge: o.int('logging-max-age', 7, 'Days rotated log files are kept, judged by the time in their names (0 = no limit).', { min: 0 }),
  loggingMaxBackups: o.int('logging-max-backups', 0, 'Rotated log files kept (0 = all).', { min: 0 }),
  loggingCompress: o.bool('logging-compress', false, 'Gzip rotated log files.'),
}
