import { BasicClientSideCache, BasicPooledClientSideCache, createClient, createCluster, createSentinel, RESP_TYPES } from '@redis/client'
import { ProxyError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import { parseRedisUrl, redisTls, withCredentials, type RedisEndpoint, type RedisSettings, type RedisTls } from './redis-options.js'

/** The few Redis commands the session store needs, each bounded in time. */
export interface RedisConnection {
  get(key: string): Promise<Buffer | null>
  /** SET with a PX expiry, or none when `ttlMs` is 0. */
  set(key: string, value: Buffer, ttlMs: number): Promise<void>
  /** SET NX PX: true when this call created the key (a lock taken). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>
  /** Deletes the key only while it still holds `value` (releasing one's own lock). */
  deleteIfEquals(key: string, value: string): Promise<void>
  del(key: string): Promise<void>
  /** SADD, then PEXPIRE the set to `ttlMs` (index sets live as long as the newest session they hold). */
  addToSet(key: string, member: string, ttlMs: number): Promise<void>
  setMembers(key: string): Promise<string[]>
  removeFromSet(key: string, member: string): Promise<void>
  hashSet(key: string, field: string, value: string): Promise<void>
  hashGet(key: string, fields: readonly string[]): Promise<Array<string | null>>
  hashDelete(key: string, fields: readonly string[]): Promise<void>
  sortedAdd(key: string, member: string, score: number): Promise<void>
  /** ZRANGEBYSCORE with LIMIT. */
  sortedRange(key: string, min: number | '-inf', max: number | '+inf', offset: number, count: number): Promise<string[]>
  sortedRemove(key: string, members: readonly string[]): Promise<void>
  /** EVAL of a script over `keys` (all in one hash slot under Cluster) with `args`; its reply. */
  evaluate(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown>
  /** A round trip to the server that holds `key` (the health check). */
  ping(key: string): Promise<void>
  /**
   * True when Redis tracks what this connection reads (`--redis-client-side-cache`): `onInvalidate` listeners then
   * hear of every key that changed on the server, from any client, and of the connection being lost (`null`: anything
   * may have changed).
   */
  readonly tracking: boolean
  onInvalidate(listener: (key: string | null) => void): void
  close(): Promise<void>
}

export interface RedisConnectionOptions extends RedisSettings {
  /** Upper bound on every command, waiting for a reconnect included. */
  commandTimeoutMs: number
  log: Logger
}

/** Only what the store calls; the client, Sentinel and Cluster objects of @redis/client all have it. */
interface Commands {
  connect(): Promise<unknown>
  destroy(): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
  get(key: string): Promise<Buffer | null>
  set(key: string, value: Buffer | string, options?: Record<string, unknown>): Promise<unknown>
  del(key: string): Promise<number>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  sAdd(key: string, member: string): Promise<unknown>
  sMembers(key: string): Promise<unknown[]>
  sRem(key: string, member: string): Promise<unknown>
  pExpire(key: string, ms: number): Promise<unknown>
  hSet(key: string, field: string, value: string): Promise<unknown>
  hmGet(key: string, fields: string[]): Promise<unknown[]>
  hDel(key: string, fields: string[]): Promise<unknown>
  zAdd(key: string, member: { score: number; value: string }): Promise<unknown>
  zRangeByScore(key: string, min: number | string, max: number | string, options: { LIMIT: { offset: number; count: number } }): Promise<unknown[]>
  zRem(key: string, members: string[]): Promise<unknown>
}

const RELEASE_SCRIPT = 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end'
/** Buffers, not strings: session values are binary. */
const BINARY = { [RESP_TYPES.BLOB_STRING]: Buffer } as const
const CONNECT_TIMEOUT_MS = 2_000
const MAX_BACKOFF_MS = 1_000
const MAX_QUEUED_COMMANDS = 10_000
/** While Redis is failing, one command this often may try it (the others fail at once). */
const PROBE_INTERVAL_MS = 1_000

/** Values read through a tracking connection that the client library keeps; gatehouse's own decoded copies sit above. */
const TRACKED_ENTRIES = 10_000

/**
 * The client library's server-assisted cache (RESP3 CLIENT TRACKING), telling `notify` of every invalidation the
 * server pushes and of every clear (a lost or closed connection clears it).
 */
function trackedCache(pooled: boolean, notify: (key: string | null) => void): BasicClientSideCache {
  const Base = pooled ? BasicPooledClientSideCache : BasicClientSideCache
  const cache = new (class extends Base {
    override invalidate(key: Parameters<BasicClientSideCache['invalidate']>[0]): void {
      super.invalidate(key)
      if (key !== null) notify(key.toString())
    }
    override clear(resetStats?: boolean): void {
      super.clear(resetStats)
      notify(null)
    }
  })({ ttl: 0, maxEntries: TRACKED_ENTRIES, evictPolicy: 'LRU' })
  return cache
}

function reconnect(retries: number): number {
  return Math.min(100 * (retries + 1), MAX_BACKOFF_MS)
}

function socketOf(e: RedisEndpoint, tls: RedisTls): Record<string, unknown> {
  const common = { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: reconnect }
  if (e.path !== undefined) return { ...common, path: e.path }
  const secure = e.tls ? { tls: true, ...tls, servername: e.host } : {}
  return { ...common, host: e.host, port: e.port, ...secure }
}

function clientOptionsOf(e: RedisEndpoint, tls: RedisTls, settings: RedisSettings): Record<string, unknown> {
  return {
    socket: socketOf(e, tls),
    ...(e.username === undefined ? {} : { username: e.username }),
    ...(e.password === undefined ? {} : { password: e.password }),
    ...(e.database === undefined ? {} : { database: e.database }),
    // Commands wait for a reconnect (a failover takes a moment) but never pile up without bound.
    commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
    // oauth2-proxy's idle timeout keeps connections from dying silently behind the server's `timeout`;
    // node-redis keeps one connection per node, so a PING at half that interval does the same job.
    ...(settings.idleTimeoutSec > 0 ? { pingInterval: Math.max(1000, (settings.idleTimeoutSec * 1000) / 2) } : {}),
  }
}

/** Builds a fresh, unconnected client of the configured kind; with `notify`, on RESP3 with a tracking cache. */
function build(settings: RedisSettings, tls: RedisTls, notify: ((key: string | null) => void) | undefined): Commands {
  const tracking = (pooled: boolean) => (notify === undefined ? {} : { RESP: 3 as const, clientSideCache: trackedCache(pooled, notify) })
  if (settings.useCluster) {
    const nodes = settings.clusterConnectionUrls.map((u) => withCredentials(parseRedisUrl(u), settings))
    const first = nodes[0] ?? { tls: false }
    const defaults = clientOptionsOf({ ...first, host: undefined, port: undefined, database: undefined }, tls, settings)
    const rootNodes = nodes.map((n) => ({ socket: socketOf(n, tls) }))
    return createCluster({ rootNodes, defaults, useReplicas: false, ...tracking(true) }).withTypeMapping(BINARY) as unknown as Commands
  }
  if (settings.useSentinel) {
    const sentinels = settings.sentinelConnectionUrls.map((u) => parseRedisUrl(u))
    const master = withCredentials(settings.connectionUrl === '' ? { tls: false } : parseRedisUrl(settings.connectionUrl), settings)
    const masterOptions = clientOptionsOf({ ...master, host: undefined, port: undefined }, tls, settings)
    const first = sentinels[0] ?? { tls: false }
    const sentinelOptions = {
      socket: socketOf({ ...first, host: undefined, port: undefined }, tls),
      ...(settings.sentinelPassword === '' ? {} : { password: settings.sentinelPassword }),
    }
    return createSentinel({
      name: settings.sentinelMasterName,
      sentinelRootNodes: sentinels.map((s) => ({ host: s.host ?? 'localhost', port: s.port ?? 26379 })),
      nodeClientOptions: masterOptions,
      sentinelClientOptions: sentinelOptions,
      ...tracking(true),
    }).withTypeMapping(BINARY) as unknown as Commands
  }
  const endpoint = withCredentials(parseRedisUrl(settings.connectionUrl), settings)
  return createClient({ ...clientOptionsOf(endpoint, tls, settings), ...tracking(false) }).withTypeMapping(BINARY) as unknown as Commands
}

/**
 * Connects to Redis standalone, through Sentinel or to a Cluster, and keeps trying in the background until it
 * succeeds: the proxy starts and serves `/ping` while Redis is down. Every command fails with
 * ERR_SESSION_STORE_UNAVAILABLE after `commandTimeoutMs` instead of hanging, and the client reconnects by itself.
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { log } = options
  // Read once, at start: a missing CA file is a startup error, not a reconnect loop.
  const tls = redisTls(options)
  let current: Commands | undefined
  /** The client still connecting (it retries by itself): close() must tear it down too, or it keeps the process alive. */
  let connecting: Commands | undefined
  let closed = false
  let lastError = ''
  let retryTimer: NodeJS.Timeout | undefined
  const listeners: Array<(key: string | null) => void> = []
  const notify = options.clientSideCache ? (key: string | null) => {
    for (const listener of listeners) listener(key)
  } : undefined

  function onError(err: Error): void {
    // @redis/client emits every socket error; log each distinct one once until the next success.
    if (err.message === lastError) return
    lastError = err.message
    log.warn({ event: 'session.redis.error', error: err.message }, 'Redis connection error; reconnecting')
  }

  async function start(attempt: number): Promise<void> {
    if (closed) return
    let candidate: Commands | undefined
    try {
      candidate = build(options, tls, notify)
      connecting = candidate
      candidate.on('error', onError)
      await candidate.connect()
      connecting = undefined
      if (closed) {
        candidate.destroy()
        return
      }
      current = candidate
      // Whatever was read before this connection is no longer tracked.
      notify?.(null)
      lastError = ''
      log.info({ event: 'session.redis.connected' }, 'connected to Redis')
    } catch (err) {
      connecting = undefined
      if (closed) return
      try {
        candidate?.destroy()
      } catch {
        // already torn down
      }
      onError(err as Error)
      retryTimer = setTimeout(() => void start(attempt + 1), reconnect(attempt))
      retryTimer.unref()
    }
  }
  void start(0)

  /**
   * A breaker: after a failure, further commands fail at once, except one probe per PROBE_INTERVAL_MS, so a long
   * outage costs no queue and no waiting while a short blip (a failover) is ridden out by the first waiters.
   */
  let failingSince: number | undefined
  let lastProbe = 0
  function admit(what: string): void {
    if (failingSince === undefined) return
    const now = Date.now()
    if (now - failingSince < options.commandTimeoutMs || now - lastProbe >= PROBE_INTERVAL_MS) {
      lastProbe = now
      return
    }
    throw new ProxyError('ERR_SESSION_STORE_UNAVAILABLE', 503, `Redis ${what}: unavailable (failing since ${new Date(failingSince).toISOString()})`)
  }

  async function bounded<T>(what: string, run: (c: Commands) => Promise<T>): Promise<T> {
    const client = current
    if (client === undefined) throw new ProxyError('ERR_SESSION_STORE_UNAVAILABLE', 503, `Redis ${what}: not connected`)
    admit(what)
    const startedAt = Date.now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ProxyError('ERR_SESSION_STORE_UNAVAILABLE', 503, `Redis ${what}: no answer within ${options.commandTimeoutMs} ms`)), options.commandTimeoutMs)
    })
    const call = run(client)
    call.catch(() => {}) // a late failure after the timeout must not become an unhandled rejection
    try {
      const result = await Promise.race([call, timeout])
      failingSince = undefined
      return result
    } catch (err) {
      failingSince ??= startedAt
      if (err instanceof ProxyError) throw err
      throw new ProxyError('ERR_SESSION_STORE_UNAVAILABLE', 503, `Redis ${what} failed: ${(err as Error).message}`, { cause: err })
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    get: (key) => bounded('GET', (c) => c.get(key)),
    async set(key, value, ttlMs) {
      await bounded('SET', (c) => c.set(key, value, ttlMs > 0 ? { expiration: { type: 'PX', value: ttlMs } } : undefined))
    },
    async setIfAbsent(key, value, ttlMs) {
      const reply = await bounded('SET NX', (c) => c.set(key, value, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }))
      return reply !== null && reply !== undefined
    },
    async deleteIfEquals(key, value) {
      await bounded('EVAL', (c) => c.eval(RELEASE_SCRIPT, { keys: [key], arguments: [value] }))
    },
    async del(key) {
      await bounded('DEL', (c) => c.del(key))
    },
    async addToSet(key, member, ttlMs) {
      await bounded('SADD', async (c) => {
        await c.sAdd(key, member)
        await c.pExpire(key, ttlMs)
      })
    },
    setMembers: (key) => bounded('SMEMBERS', async (c) => (await c.sMembers(key)).map(String)),
    async removeFromSet(key, member) {
      await bounded('SREM', (c) => c.sRem(key, member))
    },
    async hashSet(key, field, value) {
      await bounded('HSET', (c) => c.hSet(key, field, value))
    },
    hashGet: (key, fields) => (fields.length === 0 ? Promise.resolve([]) : bounded('HMGET', async (c) => (await c.hmGet(key, [...fields])).map((v) => (v === null || v === undefined ? null : String(v))))),
    async hashDelete(key, fields) {
      if (fields.length > 0) await bounded('HDEL', (c) => c.hDel(key, [...fields]))
    },
    async sortedAdd(key, member, score) {
      await bounded('ZADD', (c) => c.zAdd(key, { score, value: member }))
    },
    sortedRange: (key, min, max, offset, count) => bounded('ZRANGEBYSCORE', async (c) => (await c.zRangeByScore(key, min, max, { LIMIT: { offset, count } })).map(String)),
    async sortedRemove(key, members) {
      if (members.length > 0) await bounded('ZREM', (c) => c.zRem(key, [...members]))
    },
    evaluate: (script, keys, args) => bounded('EVAL', (c) => c.eval(script, { keys: [...keys], arguments: [...args] })),
    async ping(key) {
      await bounded('PING', (c) => c.get(key))
    },
    tracking: notify !== undefined,
    onInvalidate(listener) {
      listeners.push(listener)
    },
    async close() {
      closed = true
      notify?.(null)
      clearTimeout(retryTimer)
      const clients = [current, connecting].filter((c): c is Commands => c !== undefined)
      current = undefined
      connecting = undefined
      for (const client of clients) {
        try {
          await Promise.resolve(client.destroy())
        } catch {
          // already torn down
        }
      }
    },
  }
}
