import type { Awaitable } from '../lib/awaitable.js'
import type { SignInOrigin } from './redis-index.js'
import type { Session } from './session.js'

/** Result of reading the session a request carries. */
export type LoadResult =
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string }
  /** `key` names the session for single-flight refresh: the ticket id, or a hash of the cookie value. */
  | { kind: 'ok'; session: Session; key: string }

/** Where sessions live: in the cookie itself, or in Redis behind a ticket cookie. */
export interface SessionStore {
  /**
   * Reads the session from the request's cookies: at once when it needs no I/O (a cookie, a copy in memory).
   * Throws (or rejects with) ProxyError ERR_SESSION_STORE_UNAVAILABLE when the backend is down.
   */
  load(cookies: Readonly<Record<string, string>>, now: number): Awaitable<LoadResult>
  /** Saves the session; returns the Set-Cookie values to send. `origin` (sign-in only) is kept for the admin listing. */
  save(cookies: Readonly<Record<string, string>>, session: Session, host: string, now: number, origin?: SignInOrigin): Promise<string[]>
  /** Ends the session; returns Set-Cookie values that delete every cookie of it. */
  clear(cookies: Readonly<Record<string, string>>, host: string): Promise<string[]>
  /**
   * Takes the refresh lock of the session `key` (from {@link LoadResult}) for at most `ttlMs`, shared by every replica;
   * resolves with its release, or undefined when another request holds it. Stores without shared state leave it out
   * (the authenticator's in-process single flight is enough for them).
   */
  lock?(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>
  /** Throws when the backend is not reachable (for /ready). */
  ping(): Promise<void>
  close(): Promise<void>
}

/** Names of the request cookies that belong to the session cookie `name`: `name` and `name_0`, `name_1`, … */
export function sessionCookieNames(cookies: Readonly<Record<string, string>>, name: string): string[] {
  return Object.keys(cookies).filter((k) => k === name || (k.startsWith(`${name}_`) && /^\d+$/.test(k.slice(name.length + 1))))
}
