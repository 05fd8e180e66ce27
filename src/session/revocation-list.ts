import type { Session } from './session.js'
import { signInTime } from './session.js'

/**
 * One entry of a cookie-session revocation list, kept until `until` (the revocation time plus the cookie lifetime,
 * past which every cookie it covers has expired anyway): an IdP session (`sid`), or a user's sessions signed in until
 * `before` (`sub`).
 */
export type RevocationEntry =
  | { sid: string; sub?: undefined; until: number }
  | { sub: string; sid?: undefined; before: number; until: number }

/** The sid and sub entries of a cookie-session revocation list, and the check every loaded session goes through. */
export interface RevocationList {
  /** Adds an entry; one for the same sid or sub merges with it (the later `before` and `until` win). */
  add(entry: RevocationEntry): void
  /** True when an entry still in force covers the session: two Map lookups, none while the list is empty. */
  covers(session: Session, now: number): boolean
  /** Every entry still in force (what a new `--workers` worker starts from). */
  entries(now: number): RevocationEntry[]
}

/** Bound on the in-process lists: past it the oldest entries go first. */
export const MAX_REVOCATIONS = 100_000

/** Sets `key` as the newest entry of `map`, dropping the oldest one past MAX_REVOCATIONS. */
export function boundedSet<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  if (map.size >= MAX_REVOCATIONS) map.delete(map.keys().next().value as string)
  map.set(key, value)
}

/** An empty revocation list in this process's memory. */
export function createRevocationList(): RevocationList {
  const sids = new Map<string, number>()
  const subs = new Map<string, { before: number; until: number }>()
  return {
    add(entry) {
      if (entry.sid !== undefined) {
        boundedSet(sids, entry.sid, Math.max(entry.until, sids.get(entry.sid) ?? 0))
        return
      }
      const known = subs.get(entry.sub)
      boundedSet(subs, entry.sub, { before: Math.max(entry.before, known?.before ?? 0), until: Math.max(entry.until, known?.until ?? 0) })
    },
    covers(session, now) {
      if (sids.size === 0 && subs.size === 0) return false
      if (session.sid !== undefined) {
        const until = sids.get(session.sid)
        if (until !== undefined && until > now) return true
      }
      const entry = session.user === undefined ? undefined : subs.get(session.user)
      if (entry === undefined || entry.until <= now) return false
      const signedIn = signInTime(session)
      return signedIn === undefined || signedIn <= entry.before
    },
    entries(now) {
      const out: RevocationEntry[] = []
      for (const [sid, until] of sids) if (until > now) out.push({ sid, until })
      for (const [sub, { before, until }] of subs) if (until > now) out.push({ sub, before, until })
      return out
    },
  }
}

/** Logout-token `jti`s already used, each remembered until its own expiry (replay protection in one process). */
export function createJtiMemory(clock: () => number) {
  const jtis = new Map<string, number>()
  return {
    seen(key: string): boolean {
      const until = jtis.get(key)
      return until !== undefined && until > clock()
    },
    /** False when `key` is remembered already: another request used the token first. */
    remember(key: string, ttlMs: number): boolean {
      const now = clock()
      const until = jtis.get(key)
      if (until !== undefined && until > now) return false
      boundedSet(jtis, key, now + ttlMs)
      return true
    },
  }
}
