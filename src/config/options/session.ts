import { defineOptions } from '../define.js'

const o = defineOptions('session')

/** Where sessions live: in the cookie itself or in Redis. */
export const sessionOptions = {
  sessionStoreType: o.choice('session-store-type', ['cookie', 'redis'], 'cookie', 'Session storage: "cookie" keeps the encrypted session in the browser, "redis" keeps it server-side.'),
  sessionIdleTimeout: o.duration('session-idle-timeout', '0', 'gatehouse only: end a session unused for this long (0 = never; at least 2m). The last use is written at most once a minute, so a session ends between this and one minute more after its last request.'),
  sessionCookieMinimal: o.bool('session-cookie-minimal', false, 'Leave the access, ID and refresh tokens out of cookie sessions to keep them small.'),
  redisConnectionUrl: o.string('redis-connection-url', '', 'Redis address: redis://[user[:password]@]host[:port][/db] or rediss:// for TLS. With --session-store-type=cookie it holds only the revocation list (back-channel logout, sign-out everywhere), shared by every replica.', { secret: true }),
  redisUsername: o.string('redis-username', '', 'Redis ACL user name; overrides the one in the URL.'),
  redisPassword: o.string('redis-password', '', 'Redis password; overrides the one in the URL.', { secret: true }),
  redisUseSentinel: o.bool('redis-use-sentinel', false, 'Connect through Redis Sentinel.'),
  redisSentinelPassword: o.string('redis-sentinel-password', '', 'Password of the Sentinel servers themselves.', { secret: true }),
  redisSentinelMasterName: o.string('redis-sentinel-master-name', '', 'Name of the master set the Sentinels watch.'),
  redisSentinelConnectionUrls: o.list('redis-sentinel-connection-urls', 'Addresses of the Sentinel servers.'),
  redisUseCluster: o.bool('redis-use-cluster', false, 'Connect to a Redis Cluster (not together with Sentinel).'),
  redisClusterConnectionUrls: o.list('redis-cluster-connection-urls', 'Addresses of Redis Cluster nodes.'),
  redisCaPath: o.string('redis-ca-path', '', 'Extra CA certificate (PEM) trusted for Redis TLS.'),
  redisInsecureSkipTlsVerify: o.bool('redis-insecure-skip-tls-verify', false, 'Do not verify the Redis TLS certificate.'),
  redisClientSideCache: o.bool('redis-client-side-cache', true, 'gatehouse only, oauth2-proxy has no such option: keep sessions read from Redis in memory, kept fresh by Redis server-assisted client-side caching (RESP3 CLIENT TRACKING, Redis 6 or newer), which also pushes new revocations of cookie sessions; set false for a server or proxy without RESP3 (revocations are then polled every 50 ms).'),
  redisConnectionIdleTimeout: o.int('redis-connection-idle-timeout', 0, 'Seconds after which idle Redis connections are closed (keep below the server timeout; 0 = never).', { min: 0 }),
}
