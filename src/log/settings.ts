import type { Config } from '../config/schema.js'
import { DEFAULT_LOG_TEMPLATES, type LogKind } from './go-template.js'
import type { LogSettings } from './logger.js'

type LoggingConfig = Pick<
  Config,
  | 'loggingFormat' | 'requestLogging' | 'authLogging' | 'standardLogging' | 'requestLoggingFormat' | 'authLoggingFormat'
  | 'standardLoggingFormat' | 'errorsToInfoLog' | 'loggingLocalTime'
>

/**
 * How each kind is written. JSON is gatehouse's default; `--logging-format=text` writes every kind with its template
 * (oauth2-proxy's defaults unless set), and a `*-logging-format` changed from oauth2-proxy's default makes that kind
 * text even in JSON mode, since oauth2-proxy (text only) users who set one expect it rendered.
 */
export function logSettingsFromConfig(config: LoggingConfig): LogSettings {
  const formats: Record<LogKind, string> = { request: config.requestLoggingFormat, auth: config.authLoggingFormat, standard: config.standardLoggingFormat }
  const templates: Partial<Record<LogKind, string>> = {}
  for (const kind of ['request', 'auth', 'standard'] as const) {
    if (config.loggingFormat === 'text' || formats[kind] !== DEFAULT_LOG_TEMPLATES[kind]) templates[kind] = formats[kind]
  }
  return {
    enabled: { request: config.requestLogging, auth: config.authLogging, standard: config.standardLogging },
    templates,
    errorsToInfo: config.errorsToInfoLog,
    localTime: config.loggingLocalTime,
  }
}
