import { readFileSync } from 'node:fs'
import { rootCertificates } from 'node:tls'
import { ProxyError } from '../errors.js'

/** Redis settings as the `--redis-*` flags give them (reference §1.5). */
export interface RedisSettings {
  connectionUrl: string
  username: string
  password: string
  useSentinel: boolean
  sentinelMasterName: string
  sentinelConnectionUrls: readonly string[]
  sentinelPassword: string
  useCluster: boolean
  clusterConnectionUrls: readonly string[]
  caPath: string
  insecureSkipTlsVerify: boolean
  /** Seconds; 0 = connections may stay idle forever. */
  idleTimeoutSec: number
  /** RESP3 with CLIENT TRACKING, so that values read once are kept until Redis says they changed. */
  clientSideCache: boolean
}

/**
 * True when a Redis is configured (a connection URL, Sentinel or Cluster): the Redis session store needs one, and the
 * cookie store then keeps its revocation list there.
 */
export function isRedisConfigured(c: { redisConnectionUrl: string; redisUseSentinel: boolean; redisUseCluster: boolean }): boolean {
  return c.redisConnectionUrl !== '' || c.redisUseSentinel || c.redisUseCluster
}

/** One server to connect to: TCP or a unix socket, with credentials, database and TLS. */
export interface RedisEndpoint {
  host?: string
  port?: number
  path?: string
  username?: string
  password?: string
  database?: number
  tls: boolean
}

/** The TLS options every connection shares (extra CA appended to the system roots, or no verification). */
export interface RedisTls {
  ca?: string[]
  rejectUnauthorized: boolean
}

function bad(url: string, why: string): ProxyError {
  // The URL may hold a password: never echo it.
  return new ProxyError('ERR_CONFIG_INVALID', 500, `invalid Redis URL (${why})`, { userMessage: url.replace(/\/\/[^@/]*@/, '//***@') })
}

/**
 * Parses a Redis URL as go-redis's `ParseURL` does: `redis://[user[:pass]@]host[:port][/db]`, `rediss://` for TLS,
 * `unix://[user[:pass]@]/path/to/socket[?db=N]`. The port defaults to 6379.
 */
export function parseRedisUrl(text: string): RedisEndpoint {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw bad(text, 'not a URL')
  }
  const username = decodeURIComponent(url.username) || undefined
  const password = decodeURIComponent(url.password) || undefined
  const creds = { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) }
  if (url.protocol === 'unix:') {
    if (url.pathname === '') throw bad(text, 'no socket path')
    const db = url.searchParams.get('db')
    return { path: decodeURIComponent(url.pathname), ...creds, ...(db === null ? {} : { database: Number(db) }), tls: false }
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad(text, 'scheme must be redis, rediss or unix')
  const dbText = url.pathname.replace(/^\//, '')
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw bad(text, 'database must be a number')
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: url.port === '' ? 6379 : Number(url.port),
    ...creds,
    ...(dbText === '' ? {} : { database: Number(dbText) }),
    tls: url.protocol === 'rediss:',
  }
}

/** The TLS settings: `--redis-ca-path` is added to Node's bundled roots, as oauth2-proxy appends it to the system pool. */
export function redisTls(settings: Pick<RedisSettings, 'caPath' | 'insecureSkipTlsVerify'>): RedisTls {
  const ca = settings.caPath === '' ? undefined : [...rootCertificates, readFileSync(settings.caPath, 'utf8')]
  return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: !settings.insecureSkipTlsVerify }
}

/** `--redis-username` and `--redis-password` override what a URL says (all modes). */
export function withCredentials(endpoint: RedisEndpoint, settings: Pick<RedisSettings, 'username' | 'password'>): RedisEndpoint {
  return {
    ...endpoint,
    ...(settings.username === '' ? {} : { username: settings.username }),
    ...(settings.password === '' ? {} : { password: settings.password }),
  }
}
