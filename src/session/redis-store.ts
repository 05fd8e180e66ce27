import type { CookieJar } from '../cookies/jar.js'
import { joinCookie } from '../cookies/chunk.js'
import { safeEqual } from '../crypto/equal.js'
import { isWithinAge, openSignedValue, signValue } from '../crypto/signed-value.js'
import { randomToken } from '../crypto/random.js'
import { createDecodedSessionCache } from './decoded-cache.js'
import type { RedisConnection } from './redis-client.js'
import type { SessionIndex } from './redis-index.js'
import type { Awaitable } from '../lib/awaitable.js'
import type { Session } from './session.js'
import { sessionCookieNames, type LoadResult, type SessionStore } from './store.js'
import { decodeTicket, encodeTicket, newTicket, openTicketValue, sealTicketValue, type Ticket } from './ticket.js'

/** Decoded sessions and checked tickets kept in memory while Redis tracks them: a few MB at most. */
const TRACKED_SESSIONS = 4096

export interface RedisStoreOptions {
  jar: CookieJar
  hmacKey: Buffer
  redis: RedisConnection
  /** Shared by every store over the same connection (one per runtime); by default the store's own. */
  memory?: SessionMemory
  /** Sessions by user and IdP session, kept beside them (back-channel logout, sign-out everywhere, admin API). */
  index?: SessionIndex
}

/**
 * What a tracking connection (`--redis-client-side-cache`) lets a replica keep: sessions read and decrypted once, by
 * Redis key, until Redis pushes an invalidation for the key (a refresh, a sign-out or an expiry on any replica) or the
 * connection is lost; and signed ticket cookies already checked. `generation` moves with every invalidation, so a
 * read that raced one is not kept.
 */
export interface SessionMemory {
  readonly sessions: Map<string, { secret: Buffer; session: Readonly<Session> }>
  readonly tickets: ReturnType<typeof createDecodedSessionCache<{ ticket: Ticket; issuedAt: number }>>
  readonly generation: number
}

/** The memory of one connection, kept in step with Redis's invalidation pushes. */
export function createSessionMemory(redis: RedisConnection): SessionMemory {
  const sessions = new Map<string, { secret: Buffer; session: Readonly<Session> }>()
  const tickets = createDecodedSessionCache<{ ticket: Ticket; issuedAt: number }>(TRACKED_SESSIONS)
  let generation = 0
  redis.onInvalidate((key) => {
    generation++
    if (key === null) sessions.clear()
    else sessions.delete(key)
  })
  return {
    sessions,
    tickets,
    get generation() {
      return generation
    },
  }
}

/**
 * Sessions in Redis behind a ticket cookie, byte for byte as oauth2-proxy's persistent store (reference §4.5), so
 * both proxies can share one Redis: key `<cookie name>-<hex>`, value AES-GCM(MessagePack(session)), cookie
 * `signed("v2.<id>.<secret>")`. Redis failures throw ProxyError ERR_SESSION_STORE_UNAVAILABLE (bounded in time).
 */
export function createRedisStore(options: RedisStoreOptions): SessionStore {
  const { jar, hmacKey, redis, index } = options
  const name = jar.options.name
  const healthKey = `${name}-healthcheck`
  const mem = options.memory ?? createSessionMemory(redis)

  /** The ticket a request's cookie names, when the cookie is ours and untampered. */
  function ticketOf(cookies: Readonly<Record<string, string>>, now: number, expireMs = jar.options.expireMs): Ticket | undefined {
    const value = joinCookie(name, cookies)
    if (value === undefined) return undefined
    // The cookie name is part of the key: a value signed under one name is not valid under another.
    const memoKey = redis.tracking ? `${name}\u0000${value}` : undefined
    const checked = memoKey === undefined ? undefined : mem.tickets.get(memoKey)
    if (checked !== undefined) return isWithinAge(checked.issuedAt, expireMs, now) ? checked.ticket : undefined
    const opened = openSignedValue(name, value, hmacKey, expireMs, now)
    const ticket = opened === undefined ? undefined : decodeTicket(opened.payload.toString('utf8'), name)
    if (ticket !== undefined && opened !== undefined && memoKey !== undefined) mem.tickets.set(memoKey, { ticket, issuedAt: opened.issuedAt })
    return ticket
  }

  /** The session from this replica's tracked copy, when Redis has not invalidated it since it was read. */
  function remembered(ticket: Ticket): Session | undefined {
    const known = mem.sessions.get(ticket.id)
    return known !== undefined && safeEqual(known.secret, ticket.secret) ? known.session : undefined
  }

  async function read(ticket: Ticket): Promise<Session | undefined> {
    const known = remembered(ticket)
    if (known !== undefined) return known
    const before = mem.generation
    const value = await redis.get(ticket.id)
    const session = value === null ? undefined : openTicketValue(ticket, value)
    if (session !== undefined && redis.tracking && mem.generation === before) {
      if (mem.sessions.size >= TRACKED_SESSIONS) mem.sessions.delete(mem.sessions.keys().next().value as string)
      mem.sessions.set(ticket.id, { secret: ticket.secret, session: Object.freeze(session) })
    }
    return session
  }

  function clearCookies(cookies: Readonly<Record<string, string>>, host: string, keep: string | undefined): string[] {
    return sessionCookieNames(cookies, name).filter((n) => n !== keep).map((n) => jar.clear(n, host))
  }

  return {
    // A session this replica holds under client-side caching is answered at once, without a promise.
    load(cookies, now): Awaitable<LoadResult> {
      if (joinCookie(name, cookies) === undefined) return { kind: 'none' }
      const ticket = ticketOf(cookies, now)
      if (ticket === undefined) return { kind: 'invalid', reason: 'signature, age or ticket check failed' }
      const known = remembered(ticket)
      if (known !== undefined) return { kind: 'ok', session: known, key: ticket.id }
      return read(ticket).then((session): LoadResult => (session === undefined ? { kind: 'invalid', reason: 'session does not exist in Redis' } : { kind: 'ok', session, key: ticket.id }))
    },

    async save(cookies, session, host, now, origin) {
      const stored: Session = { ...session, createdAt: session.createdAt ?? new Date(now) }
      // A refresh keeps its ticket (as oauth2-proxy does). A new sign-in gets a fresh one, so a ticket planted in
      // the browser beforehand never ends up holding the victim's session (session fixation).
      let ticket = ticketOf(cookies, now)
      if (ticket !== undefined) {
        const previous = await read(ticket)
        if (previous === undefined || previous.user !== stored.user || previous.email !== stored.email) ticket = undefined
      }
      ticket ??= newTicket(name)
      await redis.set(ticket.id, sealTicketValue(ticket, stored), jar.options.expireMs)
      await index?.record(ticket.id, stored, now, origin)
      const createdSec = Math.floor((stored.createdAt as Date).getTime() / 1000)
      const value = signValue(name, Buffer.from(encodeTicket(ticket), 'utf8'), hmacKey, createdSec)
      return [...clearCookies(cookies, host, name), jar.session(name, value, host)]
    },

    async clear(cookies, host) {
      // The key goes first: a sign-out that could not reach Redis must fail rather than leave the session alive.
      // Any age: an expired cookie may still name a live key, and signing out should remove it.
      const ticket = ticketOf(cookies, Date.now(), 0)
      if (ticket !== undefined) {
        await redis.del(ticket.id)
        await index?.forget(ticket.id)
      }
      return clearCookies(cookies, host, undefined)
    },

    async lock(key, ttlMs) {
      const lockKey = `${key}.lock`
      const token = randomToken(16)
      if (!(await redis.setIfAbsent(lockKey, token, ttlMs))) return undefined
      return () => redis.deleteIfEquals(lockKey, token)
    },

    async ping() {
      await redis.ping(healthKey)
    },

    close: () => redis.close(),
  }
}
