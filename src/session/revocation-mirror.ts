import { ProxyError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import type { RedisConnection } from './redis-client.js'
import { createRevocationList, MAX_REVOCATIONS, type RevocationEntry } from './revocation-list.js'
import { entryOf, jtiKey, type Revocations } from './revocation.js'

/** Without tracking (`--redis-client-side-cache=false`): how often the log is read for new entries. */
const POLL_MS = 50
/** Without tracking: the copy is out of step once no read of the log has succeeded for this long. */
const STALE_MS = 2_000
/** After a failed read with tracking on: when to try again (a reconnect also triggers a read). */
const RETRY_MS = 250
/** Entries read per ZRANGEBYSCORE. */
const PAGE = 1_000

/**
 * Appends one entry to the log (a sorted set scored by a sequence number that only grows: Redis's clock in
 * microseconds, or one past the last entry), drops the oldest entries whose time is over (the entry starts with its
 * `until` in ms) and any past the bound, and keeps the whole key for a cookie lifetime after its last entry (for
 * ever when the lifetime is 0). ARGV: the entry (`<until> <json>`), the cookie lifetime in ms, the bound. Replies
 * with the sequence number.
 */
const APPEND = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local seq = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(seq / 1000)
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if top[2] ~= nil and tonumber(top[2]) >= seq then seq = tonumber(top[2]) + 1 end
redis.call('ZADD', KEYS[1], string.format('%d', seq), string.format('%d', seq) .. ' ' .. ARGV[1])
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, 99)) do
  local untilMs = tonumber(string.match(m, '^%d+ (%d+) '))
  if untilMs ~= nil and untilMs < now then redis.call('ZREM', KEYS[1], m) else break end
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) else redis.call('PERSIST', KEYS[1]) end
return string.format('%d', seq)
`

/** One log member back into its sequence number and entry; undefined for anything else found under the key. */
function parseMember(member: string): { seq: number; entry: RevocationEntry } | undefined {
  const m = /^(\d+) (\d+) (\{.*\})$/s.exec(member)
  if (m === null) return undefined
  try {
    const raw = JSON.parse(m[3] as string) as Record<string, unknown>
    const until = Number(m[2])
    if (typeof raw['sid'] === 'string') return { seq: Number(m[1]), entry: { sid: raw['sid'], until } }
    if (typeof raw['sub'] === 'string' && typeof raw['before'] === 'number') return { seq: Number(m[1]), entry: { sub: raw['sub'], before: raw['before'], until } }
  } catch {
    // not one of ours
  }
  return undefined
}

export interface RevocationMirrorOptions {
  redis: RedisConnection
  /** The cookie name: the log is `<name>-gh-revoked`, used logout tokens `<name>-gh-jti-<hash>`. */
  name: string
  /** `--cookie-expire`: how long an entry (and the log after its last entry) is kept. */
  expireMs: number
  clock: () => number
  log: Logger
}

/**
 * Cookie sessions with a Redis configured: the revocation list lives in Redis (a log every replica appends to), and
 * each replica keeps a copy in memory that the hot path checks with two Map lookups. The copy reads the log again
 * when Redis pushes an invalidation of it (RESP3 client tracking, as the Redis session store's memory) or, without
 * tracking, every 50 ms. While the copy is out of step (Redis unreachable, not yet read), sessions are refused with
 * ERR_SESSION_STORE_UNAVAILABLE, as the Redis session store does while Redis is down.
 */
export function createRevocationMirror(options: RevocationMirrorOptions): Revocations {
  const { redis, log } = options
  const logKey = `${options.name}-gh-revoked`
  const list = createRevocationList()
  let lastSeq = 0
  /** The copy holds every entry up to the last invalidation (with tracking), or the last read succeeded (without). */
  let inStep = false
  /** Without tracking: when the last successful read started. */
  let lastReadAt = Number.NEGATIVE_INFINITY
  /** Moves with every lost or new connection: a read that started before one cannot put the copy in step. */
  let epoch = 0
  let running: Promise<void> | undefined
  let again = false
  let closed = false
  let retry: NodeJS.Timeout | undefined

  const synced = (): boolean => (redis.tracking ? inStep : options.clock() - lastReadAt < STALE_MS)

  /** Reads the entries past the last one seen; stops early when the connection changed meanwhile (read again). */
  async function readNew(started: number): Promise<void> {
    for (let page = 0; page <= MAX_REVOCATIONS / PAGE; page++) {
      const members = await redis.sortedRange(logKey, lastSeq + 1, '+inf', 0, PAGE)
      if (started !== epoch) return
      for (const member of members) {
        const parsed = parseMember(member)
        if (parsed === undefined) continue
        list.add(parsed.entry)
        lastSeq = Math.max(lastSeq, parsed.seq)
      }
      if (members.length < PAGE) return
    }
  }

  /** Reads the log until no invalidation arrived meanwhile; one read at a time. */
  function sync(): Promise<void> {
    if (running !== undefined) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        const started = epoch
        const startedAt = options.clock()
        try {
          await readNew(started)
        } catch (err) {
          if (inStep) log.warn({ event: 'session.revocations.unavailable', error: (err as Error).message }, 'the revocation list in Redis cannot be read; signed-in requests get 503 until it can')
          inStep = false
          if (redis.tracking && !closed) {
            clearTimeout(retry)
            retry = setTimeout(() => void sync(), RETRY_MS)
            retry.unref()
          }
          return
        }
        lastReadAt = startedAt
        if (started === epoch && !inStep) {
          inStep = true
          log.info({ event: 'session.revocations.synced', entries: list.entries(options.clock()).length }, 'revocation list read from Redis')
        }
      } while (again && !closed)
    })().finally(() => {
      running = undefined
    })
    return running
  }

  if (redis.tracking) {
    redis.onInvalidate((key) => {
      if (key === null) {
        // A lost or new connection: whatever was pushed meanwhile is unknown, so read the whole log again.
        epoch++
        inStep = false
        lastSeq = 0
      } else if (key !== logKey) {
        return
      }
      if (!closed) void sync()
    })
  }
  const poll = redis.tracking ? undefined : setInterval(() => void sync(), POLL_MS)
  poll?.unref()
  void sync()

  return {
    shared: true,
    index: undefined,
    async revoke(target, now) {
      const entry = entryOf(target, now, options.expireMs)
      const { sid, sub, before } = entry as { sid?: string; sub?: string; before?: number }
      await redis.evaluate(APPEND, [logKey], [`${entry.until} ${JSON.stringify({ sid, sub, before })}`, String(options.expireMs), String(MAX_REVOCATIONS)])
      // This replica refuses the session at once; the others when Redis's push (or the next poll) reaches them.
      list.add(entry)
      return 0
    },
    async revokeId() {
      return undefined
    },
    isRevoked(session) {
      if (!synced()) throw new ProxyError('ERR_SESSION_STORE_UNAVAILABLE', 503, 'the revocation list is not in step with Redis')
      return list.covers(session, options.clock())
    },
    seen: async (key) => (await redis.get(jtiKey(options.name, key))) !== null,
    remember: (key, ttlMs) => redis.setIfAbsent(jtiKey(options.name, key), '1', ttlMs),
    async ready() {
      if (!synced()) throw new ProxyError('ERR_SESSION_STORE_UNAVAILABLE', 503, 'the revocation list is not in step with Redis')
    },
    close() {
      closed = true
      clearTimeout(retry)
      clearInterval(poll)
    },
  }
}
