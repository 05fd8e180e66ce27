import type { HeaderInjection } from '../config/alpha/types.js'
import type { Session } from '../session/session.js'

/** What Node (and HTTP) accept in a header value; a claim holding anything else (CR, LF, NUL…) is not sent. */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/
const NON_ASCII = /[^\x00-\x7f]/

/**
 * A value as header bytes: its UTF-8 encoding, as Go writes header values (Node writes header strings as latin1, so
 * the UTF-8 bytes are handed over as a latin1 string). Names such as `Łukasz` or `佐藤` reach the app as UTF-8.
 */
function asHeaderBytes(value: string): string {
  return NON_ASCII.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

/** A value ready for a header (its UTF-8 bytes), or undefined when empty or holding CR, LF, NUL or another control. */
export function headerValue(raw: string): string | undefined {
  const value = asHeaderBytes(raw)
  return value === '' || INVALID_HEADER_VALUE.test(value) ? undefined : value
}

/** Go's `time.Time.String()` for a UTC instant: `2026-07-30 21:28:21.5 +0000 UTC` (the zero time when unknown). */
function goTime(date: Date | undefined): string {
  if (date === undefined) return '0001-01-01 00:00:00 +0000 UTC'
  const iso = date.toISOString()
  const fraction = iso.slice(20, 23).replace(/0+$/, '')
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction === '' ? '' : `.${fraction}`} +0000 UTC`
}

/** An additional claim as strings: oauth2-proxy's CoerceClaim (lists item by item, other values JSON-encoded). */
function coerce(value: unknown): string[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
  return [typeof value === 'string' ? value : JSON.stringify(value)]
}

/** oauth2-proxy's SessionState.GetClaim: the session field, or an additional claim. */
export function claimValues(session: Session, claim: string): readonly string[] {
  switch (claim) {
    case 'access_token':
      return [session.accessToken ?? '']
    case 'id_token':
      return [session.idToken ?? '']
    case 'refresh_token':
      return [session.refreshToken ?? '']
    case 'created_at':
      return [goTime(session.createdAt)]
    case 'expires_on':
      return [goTime(session.expiresOn)]
    case 'email':
      return [session.email ?? '']
    case 'user':
      return [session.user ?? '']
    case 'groups':
      return session.groups ?? []
    case 'preferred_username':
      return [session.preferredUsername ?? '']
    default:
      return coerce(session.additionalClaims?.[claim])
  }
}

/** One value source, compiled: the strings it adds for a session (empty ones are skipped). */
type ValueFn = (session: Session) => readonly string[]

/** A header compiled at load: its name and its value sources. */
export interface HeaderPlan {
  readonly name: string
  readonly values: readonly ValueFn[]
}

/** Compiles configured header injections once; per request only the claim lookups run. */
export function compileHeaderPlans(headers: readonly HeaderInjection[]): readonly HeaderPlan[] {
  return headers.map((header) => ({
    name: header.name,
    values: header.values.map((value): ValueFn => {
      const secret = value.secretSource?.resolved
      if (secret !== undefined) return () => [secret]
      const claim = value.claimSource
      if (claim === undefined) return () => []
      const password = claim.basicAuthPassword?.resolved
      // With basicAuthPassword the prefix is ignored: oauth2-proxy always writes `Basic base64(claim:password)`.
      if (password !== undefined) return (s) => claimValues(s, claim.claim).filter((v) => v !== '').map((v) => `Basic ${Buffer.from(`${v}:${password}`).toString('base64')}`)
      const prefix = claim.prefix
      return (s) => claimValues(s, claim.claim).filter((v) => v !== '').map((v) => prefix + v)
    }),
  }))
}

/**
 * The headers a session gets from the plans: each header's non-empty values joined with `,` (oauth2-proxy's
 * flattenHeaders); a value no header can carry (CR, LF, NUL…) is left out, and a header left without values too.
 */
export function renderHeaders(plans: readonly HeaderPlan[], session: Session): Record<string, string> {
  const out: Record<string, string> = {}
  for (const plan of plans) {
    const parts: string[] = []
    for (const fn of plan.values) {
      for (const raw of fn(session)) {
        const value = headerValue(raw)
        if (value !== undefined) parts.push(value)
      }
    }
    if (parts.length > 0) out[plan.name] = parts.join(',')
  }
  return out
}
