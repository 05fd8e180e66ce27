import type { Session } from '../session/session.js'

export interface HeaderOptions {
  passUserHeaders: boolean
  passBasicAuth: boolean
  basicAuthPassword: string
  passAccessToken: boolean
  passAuthorizationHeader: boolean
  setXAuthRequest: boolean
  setBasicAuth: boolean
  setAuthorizationHeader: boolean
  preferEmailToUser: boolean
  /** `--skip-auth-strip-headers` (default true): remove client copies of the headers we inject. */
  stripHeaders: boolean
  /** Headers whose client copies are removed whatever `stripHeaders` says (the identity assertion's). */
  alwaysStrip?: readonly string[]
  /** `--signature-key`: the upstream gets `GAP-Auth` (the user, as in the response) so that it is signed too. */
  gapAuthUpstream?: boolean
}

/** Lower-cases a header name and reads `_` as `-`, so `X_Forwarded_Email` is caught (CVE-2025-64484). */
export function normalizeHeaderName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-')
}

const IDENTITY_HEADERS = [
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
  'x-auth-request-user',
  'x-auth-request-email',
  'x-auth-request-groups',
  'x-auth-request-preferred-username',
  'x-auth-request-access-token',
  'gap-auth',
]

/** What Node (and HTTP) accept in a header value; a claim holding anything else (CR, LF, NUL…) is not sent. */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

const NON_ASCII = /[^\x00-\x7f]/

/**
 * A claim as header bytes: its UTF-8 encoding, as Go writes header values (Node writes header strings as latin1, so
 * the UTF-8 bytes are handed over as a latin1 string). Names such as `Łukasz` or `佐藤` reach the app as UTF-8.
 */
function asHeaderBytes(value: string): string {
  return NON_ASCII.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

/**
 * Prepares identity header values: UTF-8 bytes; a value holding CR, LF, NUL or another control character is left
 * out instead of failing the request, and so is an empty one.
 */
function sendable(headers: Record<string, string>): Record<string, string> {
  for (const name in headers) {
    const value = asHeaderBytes(headers[name] ?? '')
    if (value === '' || INVALID_HEADER_VALUE.test(value)) delete headers[name]
    else headers[name] = value
  }
  return headers
}

/** The groups a header can carry, comma-joined; a group name no header can hold is left out, not the whole header. */
function headerGroups(groups: readonly string[]): string {
  return groups.filter((g) => !INVALID_HEADER_VALUE.test(asHeaderBytes(g))).join(',')
}

/** Builds the identity headers for upstream requests and auth responses (reference §5). */
export function createHeaderInjector(options: HeaderOptions) {
  const passUser = options.passUserHeaders || options.passBasicAuth
  const strip = new Set<string>()
  if (options.stripHeaders) {
    // Every identity header the proxy can write is removed from the client request, whatever the flags,
    // so an upstream never reads a client's claim of who it is.
    // The X-Auth-Request-* and GAP-Auth names are only ever response headers, but an app set up for the
    // auth_request layout may trust them, so a client's copies never reach it either.
    for (const h of IDENTITY_HEADERS) strip.add(h)
    if ((options.passBasicAuth && options.basicAuthPassword !== '') || options.passAuthorizationHeader) strip.add('authorization')
  }
  for (const h of options.alwaysStrip ?? []) strip.add(normalizeHeaderName(h))

  function basic(session: Session): string {
    const user = options.preferEmailToUser && session.email ? session.email : (session.user ?? '')
    return `Basic ${Buffer.from(`${user}:${options.basicAuthPassword}`).toString('base64')}`
  }

  // A session object is never changed once loaded (the cookie store's cached ones are frozen), so the headers built
  // from it are kept with it: a signed-in client's requests reuse them instead of re-checking every value.
  const upstreamCache = new WeakMap<Session, Readonly<Record<string, string>>>()
  const responseCache = new WeakMap<Session, Readonly<Record<string, string>>>()

  function upstreamHeadersOf(session: Session): Record<string, string> {
    const out: Record<string, string> = {}
    if (passUser) {
      const user = options.preferEmailToUser && session.email ? session.email : session.user
      if (user) out['X-Forwarded-User'] = user
      if (!options.preferEmailToUser && session.email) out['X-Forwarded-Email'] = session.email
      if (session.groups && session.groups.length > 0) out['X-Forwarded-Groups'] = headerGroups(session.groups)
      if (session.preferredUsername) out['X-Forwarded-Preferred-Username'] = session.preferredUsername
    }
    if (options.passBasicAuth && options.basicAuthPassword !== '') out['Authorization'] = basic(session)
    if (options.passAccessToken && session.accessToken) out['X-Forwarded-Access-Token'] = session.accessToken
    if (options.passAuthorizationHeader && session.idToken) out['Authorization'] = `Bearer ${session.idToken}`
    if (options.gapAuthUpstream === true && (session.email || session.user)) out['GAP-Auth'] = (session.email || session.user) as string
    return sendable(out)
  }

  function responseHeadersOf(session: Session): Record<string, string> {
    const out: Record<string, string> = {}
    const gapAuth = session.email || session.user
    if (gapAuth) out['GAP-Auth'] = gapAuth
    if (options.setXAuthRequest) {
      if (session.user) out['X-Auth-Request-User'] = session.user
      if (session.email) out['X-Auth-Request-Email'] = session.email
      if (session.preferredUsername) out['X-Auth-Request-Preferred-Username'] = session.preferredUsername
      if (session.groups && session.groups.length > 0) out['X-Auth-Request-Groups'] = headerGroups(session.groups)
      if (options.passAccessToken && session.accessToken) out['X-Auth-Request-Access-Token'] = session.accessToken
    }
    if (options.setBasicAuth) out['Authorization'] = basic(session)
    if (options.setAuthorizationHeader && session.idToken) out['Authorization'] = `Bearer ${session.idToken}`
    return sendable(out)
  }

  return {
    /** Names (as the client sent them) of request headers to delete before anything is added. */
    headersToStrip(requestHeaders: Readonly<Record<string, unknown>>): string[] {
      const out: string[] = []
      if (strip.size === 0) return out
      for (const name in requestHeaders) {
        const lower = name.toLowerCase()
        if (strip.has(lower) || (lower.includes('_') && strip.has(normalizeHeaderName(lower)))) out.push(name)
      }
      return out
    },

    /** Headers the upstream receives for this session; empty values are never sent. Read-only: shared by requests. */
    upstreamHeaders(session: Session | undefined): Readonly<Record<string, string>> {
      if (session === undefined) return NO_HEADERS
      let headers = upstreamCache.get(session)
      if (headers === undefined) {
        headers = Object.freeze(upstreamHeadersOf(session))
        upstreamCache.set(session, headers)
      }
      return headers
    },

    /** Headers on the response: `/oauth2/auth` 202s and proxied answers. Read-only: shared by requests. */
    responseHeaders(session: Session | undefined): Readonly<Record<string, string>> {
      if (session === undefined) return NO_HEADERS
      let headers = responseCache.get(session)
      if (headers === undefined) {
        headers = Object.freeze(responseHeadersOf(session))
        responseCache.set(session, headers)
      }
      return headers
    },
  }
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

export type HeaderInjector = ReturnType<typeof createHeaderInjector>
