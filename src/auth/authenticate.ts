import type { Logger } from '../log/logger.js'
import { idleState, TOUCH_INTERVAL_MS } from './idle.js'
import type { Provider } from '../providers/provider.js'
import { isExpired, sessionAge, type Session } from '../session/session.js'
import type { LoadResult, SessionStore } from '../session/store.js'
import { andThen, type Awaitable } from '../lib/awaitable.js'
import { NOOP_SPAN, NOOP_TRACING, type TraceSpan, type Tracing } from '../tracing/tracing.js'

/** The outcome of reading a request's credentials: a session, or why there is none. */
export type AuthResult =
  | { kind: 'authenticated'; session: Session; setCookies: string[] }
  | { kind: 'anonymous'; reason: 'no_cookie' | 'invalid' | 'expired' | 'revoked'; setCookies: string[] }

/** The logger and client address of the request that triggered a refresh (its events carry both). */
export interface RequestLog {
  log: Logger
  client: string | undefined
}

export interface AuthenticatorOptions {
  store: SessionStore
  provider: Provider
  /** The provider that refreshes a session (several providers: the one that signed it in); `provider` when unset. */
  providerOf?: (session: Session) => Provider | undefined
  /** `--cookie-refresh` in ms; 0 turns refreshing off. */
  refreshAfterMs: number
  clock: () => number
  log: Logger
  /** How long the shared refresh lock lives (stores with `lock`); keep it above the provider timeout. */
  lockTtlMs?: number
  /** Told the outcome of every due refresh that reached the provider (for metrics). */
  onRefresh?: (outcome: 'success' | 'failed' | 'revoked' | 'not_refreshable') => void
  /**
   * Sessions carried by the Authorization header (bearer JWTs, htpasswd Basic auth), tried before the cookie as in
   * oauth2-proxy's session chain; only called when the request has that header. Such sessions are never stored.
   */
  headerSessions?: (authorization: string, request: RequestLog) => Promise<Session | undefined>
  /** The in-memory revocation check (back-channel logout and sign-out everywhere with cookie sessions). */
  isRevoked?: (session: Session) => boolean
  /** `--session-idle-timeout` in ms; 0 turns it off. */
  idleTimeoutMs?: number
  /** Told of every session ended for being idle (log and metrics). */
  onIdle?: (session: Session, request: RequestLog) => void
  /** Each refresh becomes a `session.refresh` span with its outcome (the IdP's token call nests in it). */
  tracing?: Tracing
}

/** With refreshing on, a token is refreshed this long before it expires (at most half its lifetime). */
const REFRESH_AHEAD_MS = 60_000
const DEFAULT_LOCK_TTL_MS = 15_000
/**
 * How long a finished refresh answers for the cookie it replaced. A browser's parallel requests keep sending the old
 * cookie until the new one arrives; refreshing again with a rotated-away refresh token would end the session.
 */
const REFRESHED_GRACE_MS = 30_000

/** True when the session should be refreshed: older than `--cookie-refresh`, or its access token about to expire. */
export function isRefreshDue(session: Session, refreshAfterMs: number, now: number): boolean {
  if (refreshAfterMs <= 0) return false
  // oauth2-proxy truncates now to the second before comparing the age (stored_session.go).
  if (sessionAge(session, Math.floor(now / 1000) * 1000) > refreshAfterMs) return true
  const { expiresOn, createdAt, refreshToken } = session
  if (expiresOn === undefined || createdAt === undefined || !refreshToken) return false
  const lifetime = expiresOn.getTime() - createdAt.getTime()
  return lifetime > 0 && now >= expiresOn.getTime() - Math.min(REFRESH_AHEAD_MS, lifetime / 2)
}

/** Loads the session from the store and refreshes it when it is older than `--cookie-refresh` (reference §4.7). */
export function createAuthenticator(options: AuthenticatorOptions) {
  const { store, provider, log } = options
  const tracing = options.tracing ?? NOOP_TRACING
  /** One refresh per session at a time in this process; concurrent requests share its result. */
  const inFlight = new Map<string, Promise<AuthResult>>()
  /** When this process last wrote a session's last use, by session key: parallel requests write it once. */
  const touched = new Map<string, number>()
  /** Refreshes that just succeeded, by the key of the session they replaced (see REFRESHED_GRACE_MS). */
  const recentlyRefreshed = new Map<string, AuthResult>()

  function remember(key: string, result: AuthResult): void {
    if (result.kind !== 'authenticated' || result.setCookies.length === 0) return
    recentlyRefreshed.set(key, result)
    setTimeout(() => recentlyRefreshed.delete(key), REFRESHED_GRACE_MS).unref()
  }

  /**
   * With a shared store, one replica refreshes under the store's lock and reloads the session first (another may
   * just have refreshed it, and a rotated refresh token must not be used twice); the others carry on with the
   * current session meanwhile.
   */
  async function refreshOnce(cookies: Readonly<Record<string, string>>, session: Session, key: string, host: string, request: RequestLog, span: TraceSpan): Promise<AuthResult> {
    if (store.lock === undefined) return refresh(cookies, session, host, request, span)
    const release = await store.lock(key, options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS)
    if (release === undefined) {
      span.set('gatehouse.refresh.outcome', 'locked_elsewhere')
      return { kind: 'authenticated', session, setCookies: [] }
    }
    try {
      const again = await store.load(cookies, options.clock())
      if (again.kind !== 'ok') return { kind: 'anonymous', reason: 'invalid', setCookies: await store.clear(cookies, host) }
      if (!isRefreshDue(again.session, options.refreshAfterMs, options.clock())) {
        span.set('gatehouse.refresh.outcome', 'refreshed_elsewhere')
        return { kind: 'authenticated', session: again.session, setCookies: [] }
      }
      return await refresh(cookies, again.session, host, request, span)
    } finally {
      await release().catch((err: unknown) => log.warn({ event: 'session.lock.release_failed', error: (err as Error).message }, 'could not release the refresh lock; it expires by itself'))
    }
  }

  async function refresh(cookies: Readonly<Record<string, string>>, session: Session, host: string, request: RequestLog, span: TraceSpan = NOOP_SPAN): Promise<AuthResult> {
    const who = { user: session.user, email: session.email, client: request.client }
    const now = options.clock()
    const owner = options.providerOf === undefined ? provider : options.providerOf(session)
    // A session of a provider this configuration no longer has cannot be refreshed: it ends.
    if (owner === undefined) return { kind: 'anonymous', reason: 'invalid', setCookies: await store.clear(cookies, host) }
    const outcome = (o: 'success' | 'failed' | 'revoked' | 'not_refreshable'): void => {
      options.onRefresh?.(o)
      span.set('gatehouse.refresh.outcome', o)
    }
    let result
    try {
      result = await owner.refresh(session, now)
    } catch (err) {
      outcome('failed')
      span.fail(err)
      request.log.warn({ event: 'session.refresh.failed', ...who, error: (err as Error).message }, 'refresh failed; keeping the session')
      return validate(cookies, session, host, [])
    }
    switch (result.kind) {
      case 'refreshed': {
        outcome('success')
        // The refreshed session stays with the provider that refreshed it.
        const refreshed = session.providerId === undefined ? result.session : { ...result.session, providerId: session.providerId }
        const setCookies = await store.save(cookies, refreshed, host, now)
        request.log.info({ event: 'session.refresh.success', ...who, user: refreshed.user, email: refreshed.email }, 'session refreshed')
        return { kind: 'authenticated', session: refreshed, setCookies }
      }
      case 'not-refreshable':
        outcome('not_refreshable')
        return validate(cookies, session, host, [])
      case 'revoked':
        outcome('revoked')
        request.log.info({ event: 'session.refresh.revoked', ...who, ...(result.reason === undefined ? {} : { reason: result.reason }) }, 'the provider revoked the grant; session ended')
        return { kind: 'anonymous', reason: 'revoked', setCookies: await store.clear(cookies, host) }
    }
  }

  /** After a due refresh did not happen: a session whose token has expired ends (oauth2-proxy's validateSession). */
  async function validate(cookies: Readonly<Record<string, string>>, session: Session, host: string, setCookies: string[]): Promise<AuthResult> {
    if (isExpired(session, options.clock())) return { kind: 'anonymous', reason: 'expired', setCookies: await store.clear(cookies, host) }
    return { kind: 'authenticated', session, setCookies }
  }

  /**
   * Writes the session's last use. A shared store does it under the refresh lock on a fresh copy, so that it can never
   * put back tokens another replica has just refreshed; when the lock is taken, the refresh writes it anyway.
   */
  async function touch(cookies: Readonly<Record<string, string>>, session: Session, key: string, host: string, now: number): Promise<string[]> {
    const last = touched.get(key)
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return []
    if (touched.size >= 10_000) touched.delete(touched.keys().next().value as string)
    touched.set(key, now)
    if (store.lock === undefined) return store.save(cookies, { ...session, lastUsedAt: new Date(now) }, host, now)
    const release = await store.lock(key, options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS)
    if (release === undefined) return []
    try {
      const again = await store.load(cookies, now)
      return again.kind === 'ok' ? await store.save(cookies, { ...again.session, lastUsedAt: new Date(now) }, host, now) : []
    } finally {
      await release().catch(() => {})
    }
  }

  /** What a loaded session comes to: at once for a fresh session (the common case), else after a store or IdP call. */
  function settle(loaded: LoadResult, cookies: Readonly<Record<string, string>>, host: string, request: RequestLog | undefined): Awaitable<AuthResult> {
    switch (loaded.kind) {
      case 'none':
        return { kind: 'anonymous', reason: 'no_cookie', setCookies: [] }
      case 'invalid':
        // A tampered, foreign or stale cookie is a fresh sign-in: clear it, never fail the request.
        return anonymous('invalid', cookies, host)
      case 'ok':
        break
    }
    const { session, key } = loaded
    if (options.isRevoked?.(session) === true) return anonymous('revoked', cookies, host)
    const idle = options.idleTimeoutMs ?? 0
    const now = options.clock()
    const idleNow = idle > 0 ? idleState(session, now, idle) : 'fresh'
    if (idleNow === 'ended') {
      options.onIdle?.(session, request ?? { log, client: undefined })
      return anonymous('expired', cookies, host)
    }
    if (!isRefreshDue(session, options.refreshAfterMs, now)) {
      if (idleNow !== 'touch') return { kind: 'authenticated', session, setCookies: [] }
      return touch(cookies, session, key, host, now).then((setCookies) => ({ kind: 'authenticated', session, setCookies }))
    }
    const recent = recentlyRefreshed.get(key)
    if (recent !== undefined) return recent
    let pending = inFlight.get(key)
    if (pending === undefined) {
      pending = tracing
        .span('session.refresh', 'internal', {}, (span) => refreshOnce(cookies, session, key, host, request ?? { log, client: undefined }, span))
        .then((result) => (remember(key, result), result))
        .finally(() => inFlight.delete(key))
      inFlight.set(key, pending)
    }
    return pending
  }

  async function anonymous(reason: 'invalid' | 'revoked' | 'expired', cookies: Readonly<Record<string, string>>, host: string): Promise<AuthResult> {
    return { kind: 'anonymous', reason, setCookies: await store.clear(cookies, host) }
  }

  async function fromHeaderOrCookie(headerSessions: NonNullable<AuthenticatorOptions['headerSessions']>, authorization: string, cookies: Readonly<Record<string, string>>, host: string, request: RequestLog | undefined): Promise<AuthResult> {
    const fromHeader = await headerSessions(authorization, request ?? { log, client: undefined })
    if (fromHeader !== undefined) return { kind: 'authenticated', session: fromHeader, setCookies: [] }
    return settle(await store.load(cookies, options.clock()), cookies, host, request)
  }

  return {
    /**
     * `request` is the caller's request logger and client address, for the refresh events; `authorization` the header.
     * A fresh session from a store that reads it at once is answered at once, without a promise.
     */
    authenticate(cookies: Readonly<Record<string, string>>, host: string, request?: RequestLog, authorization?: string): Awaitable<AuthResult> {
      if (authorization !== undefined && options.headerSessions !== undefined) return fromHeaderOrCookie(options.headerSessions, authorization, cookies, host, request)
      return andThen(store.load(cookies, options.clock()), (loaded) => settle(loaded, cookies, host, request))
    },
  }
}

export type Authenticator = ReturnType<typeof createAuthenticator>
