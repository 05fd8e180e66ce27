import { createHash } from 'node:crypto'
import type { RedisConnection } from './redis-client.js'
import type { Session } from './session.js'
import { signInTime } from './session.js'

/** Where a sign-in came from, kept for the admin listing only. */
export interface SignInOrigin {
  ip: string | undefined
  userAgent: string | undefined
}

/** What the admin API shows of one session: never a token, never the ticket secret. */
export interface SessionInfo {
  /** The hex part of the ticket id (`<cookie name>-<id>` is the Redis key). */
  id: string
  user: string | undefined
  email: string | undefined
  provider: string
  /** Milliseconds since the epoch. */
  signedInAt: number | undefined
  refreshedAt: number | undefined
  lastUsedAt: number | undefined
  expiresAt: number
  ip: string | undefined
  userAgent: string | undefined
  /** Kept to find the sid index again when the session goes; not shown. */
  sid?: string | undefined
}

/** A page of sessions; `next` is the offset of the following page, or null on the last one. */
export interface SessionPage {
  sessions: SessionInfo[]
  next: number | null
}

/** The Redis index of sessions by user and IdP session: what back-channel logout, sign-out of all and the admin API read. */
export interface SessionIndex {
  /** Records (or updates) the session stored under `ticketId`; `origin` is given at sign-in only. */
  record(ticketId: string, session: Session, now: number, origin?: SignInOrigin): Promise<void>
  /** Forgets the session under `ticketId` (its key is already deleted). */
  forget(ticketId: string): Promise<SessionInfo | undefined>
  /** Ticket ids of the sessions with this IdP session id. */
  bySid(sid: string): Promise<string[]>
  /** Ticket ids of the sessions of this user (the `sub`, or the email). */
  byUser(user: string): Promise<string[]>
  /** The admin listing: one user's sessions, or everyone's, oldest expiry first. */
  list(user: string | undefined, offset: number, limit: number, now: number): Promise<SessionPage>
  /** The info of one session by its admin id; undefined when it is unknown or over. */
  info(id: string, now: number): Promise<SessionInfo | undefined>
  /** The Redis key of the session an admin id names. */
  ticketOf(id: string): string
}

const ADMIN_ID = /^[0-9a-f]{32}$/

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40)
}

function parseInfo(text: string | null): SessionInfo | undefined {
  if (text === null) return undefined
  try {
    return JSON.parse(text) as SessionInfo
  } catch {
    return undefined
  }
}

/**
 * Keys (all beside oauth2-proxy's `<name>-<hex>` sessions, none of which it reads): `<name>-gh-meta` (hash: ticket
 * id → info JSON), `<name>-gh-all` (sorted set of ticket ids by expiry), `<name>-gh-user-<hash>` and
 * `<name>-gh-sid-<hash>` (sets of ticket ids, expiring with their newest session).
 */
export function createRedisSessionIndex(options: { redis: RedisConnection; name: string; provider: string; expireMs: number }): SessionIndex {
  const { redis, name, provider, expireMs } = options
  const metaKey = `${name}-gh-meta`
  const allKey = `${name}-gh-all`
  const userKey = (user: string) => `${name}-gh-user-${digest(provider, user)}`
  const sidKey = (sid: string) => `${name}-gh-sid-${digest(provider, sid)}`
  const adminId = (ticketId: string) => ticketId.slice(name.length + 1)

  function usersOf(info: { user?: string | undefined; email?: string | undefined }): string[] {
    const keys = [info.user, info.email?.toLowerCase()].filter((u): u is string => u !== undefined && u !== '')
    return [...new Set(keys)]
  }

  async function infos(ticketIds: readonly string[], now: number): Promise<SessionInfo[]> {
    const texts = await redis.hashGet(metaKey, ticketIds)
    return texts.map(parseInfo).filter((i): i is SessionInfo => i !== undefined && i.expiresAt > now)
  }

  /** Drops index entries of sessions whose Redis key expired on its own. */
  async function prune(now: number): Promise<void> {
    const gone = await redis.sortedRange(allKey, '-inf', now, 0, 1000)
    if (gone.length === 0) return
    await Promise.all([redis.hashDelete(metaKey, gone), redis.sortedRemove(allKey, gone)])
  }

  return {
    async record(ticketId, session, now, origin) {
      const previous = origin === undefined ? parseInfo((await redis.hashGet(metaKey, [ticketId]))[0] ?? null) : undefined
      const info: SessionInfo = {
        id: adminId(ticketId),
        user: session.user,
        email: session.email,
        provider,
        signedInAt: signInTime(session),
        refreshedAt: session.createdAt?.getTime(),
        lastUsedAt: session.lastUsedAt?.getTime() ?? previous?.lastUsedAt,
        expiresAt: now + expireMs,
        ip: origin === undefined ? previous?.ip : origin.ip,
        userAgent: origin === undefined ? previous?.userAgent : origin.userAgent,
        ...(session.sid === undefined ? {} : { sid: session.sid }),
      }
      await Promise.all([
        redis.hashSet(metaKey, ticketId, JSON.stringify(info)),
        redis.sortedAdd(allKey, ticketId, info.expiresAt),
        ...usersOf(info).map((u) => redis.addToSet(userKey(u), ticketId, expireMs)),
        ...(session.sid === undefined ? [] : [redis.addToSet(sidKey(session.sid), ticketId, expireMs)]),
      ])
    },

    async forget(ticketId) {
      const info = parseInfo((await redis.hashGet(metaKey, [ticketId]))[0] ?? null)
      await Promise.all([
        redis.hashDelete(metaKey, [ticketId]),
        redis.sortedRemove(allKey, [ticketId]),
        ...(info === undefined ? [] : usersOf(info).map((u) => redis.removeFromSet(userKey(u), ticketId))),
        ...(info?.sid === undefined ? [] : [redis.removeFromSet(sidKey(info.sid), ticketId)]),
      ])
      return info
    },

    bySid: (sid) => redis.setMembers(sidKey(sid)),
    byUser: (user) => redis.setMembers(userKey(user)),

    async list(user, offset, limit, now) {
      await prune(now)
      if (user === undefined) {
        const ids = await redis.sortedRange(allKey, now, '+inf', offset, limit + 1)
        const page = await infos(ids.slice(0, limit), now)
        return { sessions: page, next: ids.length > limit ? offset + limit : null }
      }
      const wanted = user.includes('@') ? user.toLowerCase() : user
      const all = (await infos(await redis.setMembers(userKey(wanted)), now)).sort((a, b) => a.expiresAt - b.expiresAt || a.id.localeCompare(b.id))
      return { sessions: all.slice(offset, offset + limit), next: all.length > offset + limit ? offset + limit : null }
    },

    async info(id, now) {
      if (!ADMIN_ID.test(id)) return undefined
      return (await infos([`${name}-${id}`], now))[0]
    },

    ticketOf: (id) => `${name}-${id}`,
  }
}
