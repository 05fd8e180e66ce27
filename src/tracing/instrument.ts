import type { RedisConnection } from '../session/redis-client.js'
import type { SessionStore } from '../session/store.js'
import type { SpanValue, Tracing } from './tracing.js'

/** Wraps a session store so each session load is a span with its outcome (ok, none, invalid); off, the store itself. */
export function traceStore(store: SessionStore, tracing: Tracing): SessionStore {
  if (!tracing.enabled) return store
  return {
    ...store,
    load: (cookies, now) =>
      tracing.span('session.load', 'internal', {}, async (span) => {
        const loaded = await store.load(cookies, now)
        span.set('gatehouse.session.result', loaded.kind)
        return loaded
      }),
    save: (cookies, session, host, now) => tracing.span('session.save', 'internal', {}, () => store.save(cookies, session, host, now)),
    clear: store.clear.bind(store),
    ping: store.ping.bind(store),
    close: store.close.bind(store),
    ...(store.lock === undefined ? {} : { lock: store.lock.bind(store) }),
  }
}

/** Database span attributes of one Redis command; keys name sessions and locks, so they stay out. */
const redisAttributes = (command: string): Record<string, SpanValue> => ({ 'db.system.name': 'redis', 'db.operation.name': command })

/** Wraps the Redis connection so each command is a client span (`redis GET`, ...); off, the connection itself. */
export function traceRedis(redis: RedisConnection, tracing: Tracing): RedisConnection {
  if (!tracing.enabled) return redis
  const command = <T>(name: string, call: () => Promise<T>): Promise<T> => tracing.span(`redis ${name}`, 'client', redisAttributes(name), call)
  return {
    get: (key) => command('GET', () => redis.get(key)),
    set: (key, value, ttlMs) => command('SET', () => redis.set(key, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) => command('SET', () => redis.setIfAbsent(key, value, ttlMs)),
    deleteIfEquals: (key, value) => command('EVAL', () => redis.deleteIfEquals(key, value)),
    del: (key) => command('DEL', () => redis.del(key)),
    addToSet: (key, member, ttlMs) => command('SADD', () => redis.addToSet(key, member, ttlMs)),
    setMembers: (key) => command('SMEMBERS', () => redis.setMembers(key)),
    removeFromSet: (key, member) => command('SREM', () => redis.removeFromSet(key, member)),
    hashSet: (key, field, value) => command('HSET', () => redis.hashSet(key, field, value)),
    hashGet: (key, fields) => command('HMGET', () => redis.hashGet(key, fields)),
    hashDelete: (key, fields) => command('HDEL', () => redis.hashDelete(key, fields)),
    sortedAdd: (key, member, score) => command('ZADD', () => redis.sortedAdd(key, member, score)),
    sortedRange: (key, min, max, offset, count) => command('ZRANGE', () => redis.sortedRange(key, min, max, offset, count)),
    sortedRemove: (key, members) => command('ZREM', () => redis.sortedRemove(key, members)),
    evaluate: (script, keys, args) => command('EVAL', () => redis.evaluate(script, keys, args)),
    ping: (key) => command('PING', () => redis.ping(key)),
    get tracking() {
      return redis.tracking
    },
    onInvalidate: (listener) => redis.onInvalidate(listener),
    close: () => redis.close(),
  }
}

type FetchInput = Parameters<typeof fetch>[0]
type FetchInit = Parameters<typeof fetch>[1]

/** Which IdP call a request is: discovery, token, JWKS (jose asks for a JWK Set), userinfo, or other. */
export function idpCallKind(input: FetchInput, init: FetchInit): { method: string; url: URL; kind: string } {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
  const accept = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get('accept') ?? ''
  const path = url.pathname.toLowerCase()
  const kind = path.includes('/.well-known/')
    ? 'discovery'
    : accept.includes('jwk-set')
      ? 'jwks'
      : method === 'POST' && /token|introspect|revoke/.test(path)
        ? 'token'
        : /userinfo|\/user(s|\/|$)|\/me$|profile/.test(path)
          ? 'userinfo'
          : method === 'POST'
            ? 'token'
            : 'other'
  return { method, url, kind }
}

/** Wraps the IdP fetch so each call is a client span `idp <kind>` (URL without its query); off, the fetch itself. */
export function traceFetch(fetchFn: typeof fetch, tracing: Tracing): typeof fetch {
  if (!tracing.enabled) return fetchFn
  const traced = (input: FetchInput, init?: FetchInit): Promise<Response> => {
    const { method, url, kind } = idpCallKind(input, init)
    const attributes = { 'http.request.method': method, 'url.full': `${url.origin}${url.pathname}`, 'server.address': url.hostname, 'gatehouse.idp.call': kind }
    return tracing.span(`idp ${kind}`, 'client', attributes, async (span) => {
      const response = await fetchFn(input, init)
      span.set('http.response.status_code', response.status)
      if (response.status >= 400) span.error(`HTTP ${response.status}`)
      return response
    })
  }
  return traced as typeof fetch
}
