import type { Logger } from '../log/logger.js'
import type { Provider } from '../providers/provider.js'
import { isExpired, sessionAge, type Session } from '../session/session.js'
import type { SessionStore } from '../session/store.js'

/** The outcome of reading a request's credentials: a session, or why there is none. */
export type AuthResult =
  | { kind: 'authenticated'; session: Session; setCookies: string[] }
  | { kind: 'anonymous'; reason: 'no_cookie' | 'invalid' | 'expired' | 'revoked'; setCookies: string[] }

export interface AuthenticatorOptions {
  store: SessionStore
  provider: Provider
  /** `--cookie-refresh` in ms; 0 turns refreshing off. */
  refreshAfterMs: number
  clock: () => number
  log: Logger
}

/** Loads the session from the store and refreshes it when it is older than `--cookie-refresh` (reference §4.7). */
export function createAuthenticator(options: AuthenticatorOptions) {
  const { store, provider, log } = options
  /** One refresh per session at a time in this process; concurrent requests share its result. */
  const inFlight = new Map<string, Promise<AuthResult>>()

  async function refresh(cookies: Readonly<Record<string, string>>, session: Session, host: string): Promise<AuthResult> {
    const now = options.clock()
    let result
    try {
      result = await provider.refresh(session, now)
    } catch (err) {
      log.warn({ event: 'session.refresh.failed', user: session.user, error: (err as Error).message }, 'refresh failed; keeping the session')
      return validate(cookies, session, host, [])
    }
    switch (result.kind) {
      case 'refreshed': {
        const setCookies = await store.save(cookies, result.session, host, now)
        log.info({ event: 'session.refresh.success', user: result.session.user }, 'session refreshed')
        return { kind: 'authenticated', session: result.session, setCookies }
      }
      case 'not-refreshable':
        return validate(cookies, session, host, [])
      case 'revoked':
        log.info({ event: 'session.refresh.revoked', user: session.user }, 'the provider revoked the grant; session ended')
        return { kind: 'anonymous', reason: 'revoked', setCookies: await store.clear(cookies, host) }
    }
  }

  /** After a due refresh did not happen: a session whose token has expired ends (oauth2-proxy's validateSession). */
  async function validate(cookies: Readonly<Record<string, string>>, session: Session, host: string, setCookies: string[]): Promise<AuthResult> {
    if (isExpired(session, options.clock())) return { kind: 'anonymous', reason: 'expired', setCookies: await store.clear(cookies, host) }
    return { kind: 'authenticated', session, setCookies }
  }

  return {
    async authenticate(cookies: Readonly<Record<string, string>>, host: string): Promise<AuthResult> {
      const loaded = await store.load(cookies, options.clock())
      switch (loaded.kind) {
        case 'none':
          return { kind: 'anonymous', reason: 'no_cookie', setCookies: [] }
        case 'invalid':
          // A tampered, foreign or stale cookie is a fresh sign-in: clear it, never fail the request.
          return { kind: 'anonymous', reason: 'invalid', setCookies: await store.clear(cookies, host) }
        case 'ok':
          break
      }
      const { session, key } = loaded
      const due = options.refreshAfterMs > 0 && sessionAge(session, Math.floor(options.clock() / 1000) * 1000) > options.refreshAfterMs
      if (!due) return { kind: 'authenticated', session, setCookies: [] }
      let pending = inFlight.get(key)
      if (pending === undefined) {
        pending = refresh(cookies, session, host).finally(() => inFlight.delete(key))
        inFlight.set(key, pending)
      }
      return pending
    },
  }
}

export type Authenticator = ReturnType<typeof createAuthenticator>
