import { createHash } from 'node:crypto'
import { ProxyError } from '../errors.js'
import type { BearerOutcome } from '../providers/bearer-sessions.js'
import type { Session } from '../session/session.js'
import type { RequestLog } from './authenticate.js'
import { splitAuthorization } from './basic-auth.js'
import { looksLikeJwt } from './bearer-jwt.js'

/** RFC 6750 §2.1 b64token: what a bearer token may hold; anything else is refused without asking the provider. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
/** Longer tokens are refused without a call: opaque tokens are short, and the provider need not read megabytes. */
const MAX_TOKEN_LENGTH = 4096
/** Answers kept at most; the oldest goes first. */
const CACHE_MAX = 10_000

export interface IntrospectionLoaderOptions {
  /** Asks the provider (RFC 7662) and reads the answer: a session, a refusal with its reason, or the endpoint failed. */
  verify: (token: string) => Promise<BearerOutcome>
  /** `--introspection-cache-ttl` in ms: how long an answer is reused; 0 asks on every request. */
  cacheTtlMs: number
  /** `--skip-jwt-bearer-tokens` is on: JWT-shaped tokens belong to its loader and are not introspected. */
  leaveJwts: boolean
  clock: () => number
}

type Cached = { outcome: Extract<BearerOutcome, { kind: 'session' | 'invalid' }>; until: number }

/** A short fingerprint of a token for logs and cache keys; the token itself is never logged or kept as a key. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/**
 * `--introspect-bearer-tokens`: a `Bearer` token (not a JWT when `--skip-jwt-bearer-tokens` handles those) is checked at
 * the provider's introspection endpoint. An active token for this client is the session; any other answer is a 401;
 * an endpoint that fails or does not answer within the provider timeout is a 503, never a pass. Answers are reused
 * for `cacheTtlMs` and never past the token's `exp`; concurrent requests with one token share one call.
 */
export function createIntrospectionSessionLoader(options: IntrospectionLoaderOptions) {
  const cache = new Map<string, Cached>()
  const pending = new Map<string, Promise<BearerOutcome>>()

  function remember(key: string, outcome: Cached['outcome']): void {
    if (options.cacheTtlMs <= 0) return
    const now = options.clock()
    const exp = outcome.kind === 'session' ? outcome.session.expiresOn?.getTime() ?? Number.POSITIVE_INFINITY : Number.POSITIVE_INFINITY
    const until = Math.min(now + options.cacheTtlMs, exp)
    if (until <= now) return
    if (cache.size >= CACHE_MAX) {
      const oldest = cache.keys().next().value
      if (oldest !== undefined) cache.delete(oldest)
    }
    cache.set(key, { outcome, until })
  }

  function ask(key: string, token: string): Promise<BearerOutcome> {
    let call = pending.get(key)
    if (call === undefined) {
      call = options.verify(token).then((outcome) => {
        if (outcome.kind !== 'unavailable') remember(key, outcome)
        return outcome
      }).finally(() => pending.delete(key))
      pending.set(key, call)
    }
    return call
  }

  function refuse(request: RequestLog, key: string, reason: string, cached: boolean): never {
    const fields = { event: 'auth.introspection.failure', reason, token: key.slice(0, 12), client: request.client }
    if (cached) request.log.debug(fields, 'bearer token refused (cached answer)')
    else request.log.info(fields, 'bearer token refused')
    throw new ProxyError('ERR_UNAUTHORIZED', 401, `bearer token refused: ${reason}`)
  }

  return async (authorization: string, request: RequestLog): Promise<Session | undefined> => {
    const parts = splitAuthorization(authorization)
    if (parts === undefined || parts.scheme.toLowerCase() !== 'bearer') return undefined
    const token = parts.value
    if (options.leaveJwts && looksLikeJwt(token)) return undefined
    const key = tokenFingerprint(token)
    if (token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) return refuse(request, key, 'malformed bearer token', false)
    const hit = cache.get(key)
    if (hit !== undefined) {
      if (hit.until > options.clock()) {
        if (hit.outcome.kind === 'session') return hit.outcome.session
        return refuse(request, key, hit.outcome.reason, true)
      }
      cache.delete(key)
    }
    const outcome = await ask(key, token)
    switch (outcome.kind) {
      case 'session':
        request.log.info({ event: 'auth.introspection.success', user: outcome.session.user, email: outcome.session.email, token: key.slice(0, 12), client: request.client }, 'authenticated with an introspected bearer token')
        return outcome.session
      case 'invalid':
        return refuse(request, key, outcome.reason, false)
      case 'unavailable':
        request.log.warn({ event: 'auth.introspection.unavailable', reason: outcome.reason, client: request.client }, 'token introspection failed')
        throw new ProxyError('ERR_INTROSPECTION_UNAVAILABLE', 503, `token introspection failed: ${outcome.reason}`)
    }
  }
}
