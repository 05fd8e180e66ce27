import type { RedisConnection } from './redis-client.js'
import type { SessionIndex, SessionInfo } from './redis-index.js'
import type { Session } from './session.js'
import { signInTime } from './session.js'

/** Which sessions to end: those of one IdP session (`sid`), or every session of a user signed in until `before`. */
export type RevokeTarget = { sid: string; sub?: undefined } | { sub: string; sid?: undefined; before: number }

/** Ends sessions from outside the browser that holds them: back-channel logout, sign-out everywhere, the admin API. */
export interface Revocations {
  /** True when sessions live in Redis: revocations reach every replica and sessions can be listed. */
  readonly shared: boolean
  /** Ends the matching sessions; resolves with how many stored sessions ended (the cookie store cannot count: 0). */
  revoke(target: RevokeTarget, now: number): Promise<number>
  /** Ends one session by its admin id (Redis only); its info, or undefined when there is no such session. */
  revokeId(id: string, now: number): Promise<SessionInfo | undefined>
  /** The in-memory check on every loaded session: true when a revocation covers it. */
  isRevoked(session: Session): boolean
  /** True when a logout token's `jti` (hashed into `key`) was used before: a replay. */
  seen(key: string): Promise<boolean>
  /**
   * Remembers a `jti` for `ttlMs`, once its logout is done (so a logout that failed half way can be retried by the
   * IdP); false when another request remembered it meanwhile.
   */
  remember(key: string, ttlMs: number): Promise<boolean>
  /** The Redis session index (admin listing); undefined with the cookie store. */
  readonly index: SessionIndex | undefined
}

/** Bound on the in-process lists: past it the oldest entries go first. */
const MAX_ENTRIES = 100_000

function boundedSet<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string)
  map.set(key, value)
}

/**
 * Cookie sessions cannot be deleted: revocations are `sid` and `sub` entries kept in this process for the cookie
 * lifetime, checked with two Map lookups per request (none while both lists are empty). Other replicas do not see them.
 */
export function createCookieRevocations(options: { expireMs: number; clock: () => number }): Revocations {
  const sids = new Map<string, number>()
  const subs = new Map<string, { before: number; until: number }>()
  const jtis = new Map<string, number>()
  const live = (until: number) => until > options.clock()
  return {
    shared: false,
    index: undefined,
    async revoke(target, now) {
      if (target.sid !== undefined) boundedSet(sids, target.sid, now + options.expireMs)
      else boundedSet(subs, target.sub, { before: target.before, until: now + options.expireMs })
      return 0
    },
    async revokeId() {
      return undefined
    },
    isRevoked(session) {
      if (sids.size === 0 && subs.size === 0) return false
      if (session.sid !== undefined) {
        const until = sids.get(session.sid)
        if (until !== undefined && live(until)) return true
      }
      const entry = session.user === undefined ? undefined : subs.get(session.user)
      if (entry === undefined || !live(entry.until)) return false
      const signedIn = signInTime(session)
      return signedIn === undefined || signedIn <= entry.before
    },
    async seen(key) {
      const until = jtis.get(key)
      return until !== undefined && live(until)
    },
    async remember(key, ttlMs) {
      const now = options.clock()
      const until = jtis.get(key)
      if (until !== undefined && until > now) return false
      boundedSet(jtis, key, now + ttlMs)
      return true
    },
  }
}

/**
 * Redis sessions are deleted, key by key, through the index: the DEL reaches every replica, and Redis's
 * invalidation push drops their in-memory copies, so nothing needs checking on the hot path.
 */
export function createRedisRevocations(options: { redis: RedisConnection; index: SessionIndex; name: string }): Revocations {
  const { redis, index } = options
  async function end(ticketIds: readonly string[]): Promise<number> {
    await Promise.all(ticketIds.map(async (id) => {
      await redis.del(id)
      await index.forget(id)
    }))
    return ticketIds.length
  }
  return {
    shared: true,
    index,
    async revoke(target) {
      return end(target.sid !== undefined ? await index.bySid(target.sid) : await index.byUser(target.sub))
    },
    async revokeId(id, now) {
      const info = await index.info(id, now)
      if (info === undefined) return undefined
      await end([index.ticketOf(id)])
      return info
    },
    isRevoked: () => false,
    seen: async (key) => (await redis.get(`${options.name}-gh-jti-${key}`)) !== null,
    remember: (key, ttlMs) => redis.setIfAbsent(`${options.name}-gh-jti-${key}`, '1', ttlMs),
  }
}
