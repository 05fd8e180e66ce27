import { ProxyError } from '../errors.js'
import type { BearerOutcome } from '../providers/bearer-sessions.js'
import type { Session } from '../session/session.js'
import type { RequestLog } from './authenticate.js'
import { decodeBasicCredentials, splitAuthorization } from './basic-auth.js'

/** oauth2-proxy's shape test for a JWT in the Authorization header (jwt_session.go). */
const JWT_SHAPE = /^ey[A-Za-z0-9_-]*\.ey[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/
/** True when a token has the shape of a JWT as oauth2-proxy tests it (three base64url parts, the first two JSON objects). */
export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token)
}

/** How long a verified token's session is reused; never past the token's `exp`. */
const VERIFIED_TTL_MS = 30_000
const VERIFIED_MAX = 10_000

/**
 * The JWT an Authorization header carries: `Bearer <jwt>`, or one in Basic credentials (`jwt:`, `jwt:x-oauth-basic`,
 * or any user with the JWT as password), as oauth2-proxy reads it; undefined with the reason otherwise.
 */
export function findBearerJwt(header: string): { token: string } | { problem: string } {
  const parts = splitAuthorization(header)
  if (parts === undefined) return { problem: 'malformed Authorization header' }
  if (parts.scheme === 'Bearer' && JWT_SHAPE.test(parts.value)) return { token: parts.value }
  if (parts.scheme === 'Basic') {
    const credentials = decodeBasicCredentials(parts.value)
    if (credentials === undefined) return { problem: 'malformed Basic credentials' }
    if (JWT_SHAPE.test(credentials.user)) {
      if (credentials.password === '' || credentials.password === 'x-oauth-basic') return { token: credentials.user }
    } else if (JWT_SHAPE.test(credentials.password)) {
      return { token: credentials.password }
    }
    return { problem: 'no JWT in the Basic credentials' }
  }
  return { problem: 'no bearer JWT in the Authorization header' }
}

export interface BearerSessionOptions {
  verify: (token: string) => Promise<BearerOutcome>
  /** `--bearer-token-login-fallback`: false answers a request whose Authorization header is no valid JWT with 403. */
  loginFallback: boolean
  clock: () => number
}

/**
 * `--skip-jwt-bearer-tokens`: a valid JWT in the Authorization header is the session. Verified sessions are reused
 * for a few seconds, keyed by the token, never past its expiry. An invalid one is ignored (the cookie and the login
 * flow come next) unless `loginFallback` is off. An issuer that cannot be reached answers 502, never a hang.
 */
export function createBearerSessionLoader(options: BearerSessionOptions) {
  const verified = new Map<string, { session: Session; until: number }>()

  function remember(token: string, session: Session): void {
    const exp = session.expiresOn?.getTime() ?? Number.POSITIVE_INFINITY
    const until = Math.min(options.clock() + VERIFIED_TTL_MS, exp)
    if (verified.size >= VERIFIED_MAX) {
      const oldest = verified.keys().next().value
      if (oldest !== undefined) verified.delete(oldest)
    }
    verified.set(token, { session, until })
  }

  /** `shapeOnly`: the header holds no JWT at all (Basic passwords, opaque tokens), logged at debug level only. */
  function refuse(request: RequestLog, reason: string, shapeOnly = false): undefined {
    const fields = { event: 'auth.bearer.failure', reason, client: request.client }
    if (shapeOnly) request.log.debug(fields, 'no bearer JWT')
    else request.log.info(fields, 'bearer token refused')
    if (!options.loginFallback) throw new ProxyError('ERR_FORBIDDEN', 403, `invalid bearer token: ${reason}`)
    return undefined
  }

  return async (authorization: string, request: RequestLog): Promise<Session | undefined> => {
    const found = findBearerJwt(authorization)
    if ('problem' in found) return refuse(request, found.problem, true)
    const cached = verified.get(found.token)
    if (cached !== undefined) {
      if (cached.until > options.clock()) return cached.session
      verified.delete(found.token)
    }
    const outcome = await options.verify(found.token)
    switch (outcome.kind) {
      case 'session':
        remember(found.token, outcome.session)
        request.log.info({ event: 'auth.bearer.success', user: outcome.session.user, email: outcome.session.email, client: request.client }, 'authenticated with a bearer token')
        return outcome.session
      case 'invalid':
        return refuse(request, outcome.reason)
      case 'unavailable':
        throw new ProxyError('ERR_OIDC_DISCOVERY_FAILED', 502, `bearer token check: ${outcome.reason}`)
    }
  }
}
