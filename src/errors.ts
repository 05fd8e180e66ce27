/** Stable error codes: tests, logs and the error boundary switch on these, never on messages. */
export type ErrorCode =
  | 'ERR_CONFIG_INVALID'
  | 'ERR_NOT_FOUND'
  | 'ERR_BAD_REQUEST'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_LOGIN_IDP_ERROR'
  | 'ERR_LOGIN_CSRF_MISSING'
  | 'ERR_LOGIN_CSRF_MISMATCH'
  | 'ERR_LOGIN_INVALID_SESSION'
  | 'ERR_LOGIN_UNAUTHORIZED'
  | 'ERR_OIDC_DISCOVERY_FAILED'
  | 'ERR_OIDC_EXCHANGE_FAILED'
  | 'ERR_OIDC_ID_TOKEN_INVALID'
  | 'ERR_OIDC_CLAIMS'
  | 'ERR_OIDC_REFRESH_FAILED'
  | 'ERR_SESSION_STORE_UNAVAILABLE'
  | 'ERR_INTROSPECTION_UNAVAILABLE'
  | 'ERR_UPSTREAM_UNREACHABLE'
  | 'ERR_UPSTREAM_TIMEOUT'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_INTERNAL'

/** The one error type thrown on purpose: a stable code, an HTTP status and an optional message safe for users. */
export class ProxyError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /** Text safe to show the user; internal details stay in `message` and `cause`. */
  readonly userMessage: string | undefined

  constructor(code: ErrorCode, status: number, message: string, options?: { cause?: unknown; userMessage?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ProxyError'
    this.code = code
    this.status = status
    this.userMessage = options?.userMessage
  }
}

/** One problem in the configuration: the option as the user wrote it, the value, and what is expected. */
export interface ConfigIssue {
  option: string
  value?: string
  message: string
}

/** Every configuration problem found at start, reported together. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[]
  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map(formatIssue).join('\n')}`)
    this.name = 'ConfigError'
    this.issues = issues
  }
}

/** Renders one issue as a single line: `--option=value: message`. */
export function formatIssue(issue: ConfigIssue): string {
  const value = issue.value === undefined ? '' : `=${JSON.stringify(issue.value)}`
  return `  ${issue.option}${value}: ${issue.message}`
}
