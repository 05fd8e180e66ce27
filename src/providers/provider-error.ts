/** What an identity provider said when a call failed, as it said it (`formatProviderError` cleans it). */
export interface ProviderErrorDetail {
  status?: number
  /** The OAuth `error` code (RFC 6749 §5.2), e.g. `unauthorized_client`. */
  error?: string
  /** The OAuth `error_description`. */
  description?: string
}

/** Bounds on what an IdP may put into our logs, and on what is kept before redaction and cleaning. */
const MAX_ERROR = 100
const MAX_DESCRIPTION = 300
const MAX_RAW = 4096

/** Shortest secret worth searching for in a description: shorter values would mask ordinary words. */
const MIN_REDACTED = 4

/** A compact JWS or JWE (a token the IdP may echo back). */
const JWT_LIKE = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*/g

/**
 * Text from an IdP made safe for one log line: control characters (C0, DEL, C1, line and paragraph separators, bidi
 * overrides) become spaces, runs of blanks fold to one, the result is cut to `max` characters. Undefined when empty.
 */
export function cleanProviderText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim()
  if (text === '') return undefined
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/** `error` and `error_description` from an error body: JSON (RFC 6749 §5.2) or form-encoded (GitHub without Accept). */
export function detailFromBody(text: string, status?: number): ProviderErrorDetail {
  let fields: Record<string, unknown> = {}
  try {
    const json: unknown = JSON.parse(text)
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) fields = json as Record<string, unknown>
  } catch {
    if (/^[\w.~%+-]+=/.test(text)) fields = Object.fromEntries(new URLSearchParams(text))
  }
  return detailFromFields(fields, status)
}

/** `error` and `error_description` of an object; non-string values (an `error` object) are left out. */
export function detailFromFields(fields: Readonly<Record<string, unknown>>, status?: number): ProviderErrorDetail {
  const error = typeof fields['error'] === 'string' && fields['error'] !== '' ? fields['error'].slice(0, MAX_RAW) : undefined
  const description = typeof fields['error_description'] === 'string' && fields['error_description'] !== '' ? fields['error_description'].slice(0, MAX_RAW) : undefined
  return { ...(status === undefined ? {} : { status }), ...(error === undefined ? {} : { error }), ...(description === undefined ? {} : { description }) }
}

/**
 * What an openid-client / oauth4webapi error says the IdP answered: the body of an OAuth error response, the
 * `WWW-Authenticate` challenge of a 401, or the status of an answer that was not OAuth at all. Empty for errors that
 * never reached the IdP's answer (transport failures, our own checks).
 */
export function detailFromOAuthError(err: unknown): ProviderErrorDetail {
  const e = err as { status?: unknown; cause?: unknown; error?: unknown; error_description?: unknown; code?: unknown }
  if (e === null || typeof e !== 'object') return {}
  const status = typeof e.status === 'number' ? e.status : undefined
  if (e.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' && Array.isArray(e.cause)) {
    const challenge = e.cause.find((c: { parameters?: { error?: unknown } }) => typeof c?.parameters?.error === 'string') as { parameters: Record<string, unknown> } | undefined
    return challenge === undefined ? { ...(status === undefined ? {} : { status }) } : detailFromFields(challenge.parameters, status)
  }
  if (typeof e.error === 'string') return detailFromFields(e as Record<string, unknown>, status)
  // openid-client's "unexpected HTTP response status code": the cause is the Response itself.
  const response = e.cause as { status?: unknown } | undefined
  if ((e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || e.code === 'OAUTH_RESPONSE_IS_NOT_JSON') && typeof response?.status === 'number') return { status: response.status }
  return status === undefined ? {} : { status }
}

/**
 * `answered 403 unauthorized_client: <description>` for a log line or error message, with every value of `secrets`
 * (the code, client secret, tokens, PKCE verifier sent in that call) and anything shaped like a JWT replaced by
 * `[redacted]`, in case the IdP echoes what it was sent. Empty when the IdP said nothing we could read.
 */
export function formatProviderError(detail: ProviderErrorDetail, secrets: ReadonlyArray<string | undefined> = []): string {
  // Redacted before cleaning and cutting, so that no part of a secret survives a cut.
  const error = detail.error === undefined ? undefined : cleanProviderText(redact(detail.error, secrets), MAX_ERROR)
  const description = detail.description === undefined ? undefined : cleanProviderText(redact(detail.description, secrets), MAX_DESCRIPTION)
  const parts: string[] = []
  if (detail.status !== undefined) parts.push(String(detail.status))
  if (error !== undefined) parts.push(error)
  if (parts.length === 0 && description === undefined) return ''
  const head = parts.length === 0 ? 'answered' : `answered ${parts.join(' ')}`
  return description === undefined ? head : `${head}: ${description}`
}

function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text.replace(JWT_LIKE, '[redacted]')
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= MIN_REDACTED) out = out.split(secret).join('[redacted]')
  }
  return out
}
