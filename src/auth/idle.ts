import type { Session } from '../session/session.js'

/** The last use is written at most this often per session (a Set-Cookie, or one Redis write). */
export const TOUCH_INTERVAL_MS = 60_000

/**
 * `--session-idle-timeout`: whether a session has been unused too long (`ended`), should have its last use written
 * (`touch`), or neither. The stored last use may lag the real one by up to TOUCH_INTERVAL_MS, so a session ends only
 * once that much more has passed: never early, at most a minute late. Sessions without a last use (written before
 * the option was set, or by oauth2-proxy) count from their sign-in or last refresh.
 */
export function idleState(session: Session, now: number, idleTimeoutMs: number): 'ended' | 'touch' | 'fresh' {
  const last = (session.lastUsedAt ?? session.signedInAt ?? session.createdAt)?.getTime()
  if (last === undefined) return 'touch'
  if (now - last > idleTimeoutMs + TOUCH_INTERVAL_MS) return 'ended'
  return session.lastUsedAt === undefined || now - last >= TOUCH_INTERVAL_MS ? 'touch' : 'fresh'
}
