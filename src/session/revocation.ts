import type { RedisConnection } from './redis-client.js'
import type { SessionIndex, SessionInfo } from './redis-index.js'
import { createJtiMemory, createRevocationList, type RevocationEntry } from './revocation-list.js'
import type { Session } from './session.js'

/** Which sessions to end: those of one IdP session (`sid`), or every session of a user signed in until `before`. */
export type RevokeTarget = { sid: string; sub?: undefined } | { sub: string; sid?: undefined; before: number }

/** Ends sessions from outside the browser that holds them: back-channel logout, sign-out everywhere, the admin API. */
export interface Revocations {
  /** True when revocations reach every replica through Redis (the Redis store, or cookie sessions with a Redis). */
  readonly shared: boolean
  /** Ends the matching sessions; resolves with how many stored sessions ended (the cookie store cannot count: 0). */
  revoke(target: RevokeTarget, now: number): Promise<number>
  /** Ends one session by its admin id (Redis only); its info, or undefined when there is no such session. */
  revokeId(id: string, now: number): Promise<SessionInfo | undefined>
  /**
   * The in-memory check on every loaded session: true when a revocation covers it. Throws ProxyError
   * ERR_SESSION_STORE_UNAVAILABLE when the list cannot be trusted (its copy of a Redis list is out of step).
   */
  isRevoked(session: Session): boolean
  /** True when a logout token's `jti` (hashed into `key`) was used before: a replay. */
  seen(key: string): Promise<boolean>
  /**
   * Remembers a `jti` for `ttlMs`, once its logout is done (so a logout that failed half way can be retried by the
   * IdP); false when another request remembered it meanwhile.
   */
  remember(key: string, ttlMs: number): Promise<boolean>
  /** Throws when revocations cannot be checked (for /ready): a copy of the Redis list not in step with it. */
  ready(): Promise<void>
  /** The Redis session index (admin listing); undefined with the cookie store. */
  readonly index: SessionIndex | undefined
  /** Stops what keeps the list in step (timers); the Redis connection is closed by its owner. */
  close(): void
}

/**
 * The list entry of a revocation made at `now`, kept for the cookie lifetime `expireMs`; for ever with
 * `--cookie-expire=0`, under which a signed cookie has no age limit.
 */
export function entryOf(target: RevokeTarget, now: number, expireMs: number): RevocationEntry {
  const until = expireMs > 0 ? now + expireMs : Number.MAX_SAFE_INTEGER
  return target.sid !== undefined ? { sid: target.sid, until } : { sub: target.sub, before: target.before, until }
}

/**
 * Cookie sessions cannot be deleted: revocations are `sid` and `sub` entries kept in this process for the cookie
 * lifetime, checked with two Map lookups per request (none while the list is empty). Other processes do not see them.
 */
export function createCookieRevocations(options: { expireMs: number; clock: () => number }): Revocations {
  const list = createRevocationList()
  const jtis = createJtiMemory(options.clock)
  return {
    shared: false,
    index: undefined,
    async revoke(target, now) {
      list.add(entryOf(target, now, options.expireMs))
      return 0
    },
    async revokeId() {
      return undefined
    },
    isRevoked: (session) => list.covers(session, options.clock()),
    seen: async (key) => jtis.seen(key),
    remember: async (key, ttlMs) => jtis.remember(key, ttlMs),
    async ready() {},
    close() {},
  }
}

/** The Redis key of a used logout token's `jti` (hashed), shared by every replica. */
export function jtiKey(name: string, key: string): string {
  return `${name}-gh-jti-${key}`
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
    seen: async (key) => (await redis.get(jtiKey(options.name, key))) !== null,
    remember: (key, ttlMs) => redis.setIfAbsent(jtiKey(options.name, key), '1', ttlMs),
    // The session store's own ping covers the connection.
    async ready() {},
    close() {},
  }
}
