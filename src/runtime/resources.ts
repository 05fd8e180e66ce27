import { createIdentityAssertionFromConfig, type IdentityAssertionSetup } from '../assertion/from-config.js'
import { routesOf } from '../config/routes.js'
import type { Config } from '../config/schema.js'
import { cookieSecretKeys } from '../crypto/cookie-secret.js'
import type { Logger } from '../log/logger.js'
import { instrumentFetch } from '../metrics/instrument.js'
import { createMetrics, type Metrics } from '../metrics/registry.js'
import { createProviderFetch } from '../providers/http-client.js'
import type { CookieJar } from '../cookies/jar.js'
import type { RedisConnection } from '../session/redis-client.js'
import { isRedisConfigured } from '../session/redis-options.js'
import { createCookieRevocations, type Revocations } from '../session/revocation.js'
import type { SessionStore } from '../session/store.js'
import type { SessionIndex } from '../session/redis-index.js'
import { traceFetch, traceRedis, traceStore } from '../tracing/instrument.js'
import { NOOP_TRACING, type Tracing } from '../tracing/tracing.js'
import { createPools, type Pools } from '../upstream/pools.js'

/** Bound on every call to the identity provider. */
export const PROVIDER_TIMEOUT_MS = 10_000
/** Bound on every Redis command, waiting for a reconnect included: past it the request gets a 503. */
const REDIS_COMMAND_TIMEOUT_MS = 3_000

/**
 * What the process keeps across configuration reloads: the loggers, the metrics registry, the session keys, the Redis
 * connection, the provider HTTP client and the upstream connection pools. Each is built from options a reload may
 * not change (runtime/restart-only.ts), so every compiled runtime can share them.
 */
export interface Resources {
  readonly log: Logger
  readonly accessLog: Logger
  readonly clock: () => number
  readonly metrics: Metrics
  /** Spans for requests, sessions, the IdP and Redis (a shared no-op when tracing is off). */
  readonly tracing: Tracing
  /** The keys derived from `--cookie-secret`: sessions sealed before a reload still open after it. */
  readonly keys: { readonly hmacKey: Buffer; readonly aesKey: Buffer }
  /** Under `--session-store-type=redis`: the connection, and a store over it for a runtime's cookie settings. */
  readonly redis: RedisSessions | undefined
  /** A bounded fetch for calls to the identity provider, with `--provider-ca-file` trust. */
  readonly providerFetch: typeof fetch
  /** One undici Pool per upstream origin, shared by every runtime. */
  readonly pools: Pools
  /**
   * Sessions ended from outside the browser (back-channel logout, sign-out everywhere, the admin API): in Redis with
   * its session index; with cookie sessions a list in Redis when one is configured, else kept by the `--workers`
   * primary, else in this process. Kept across reloads, so a reload forgets no revocation.
   */
  readonly revocations: Revocations
  /**
   * The signing key ring and the assertions it signs, kept across reloads: built when `--set-identity-assertion` is
   * on or a route at start-up has `identityAssertion` on.
   */
  readonly identityAssertion: IdentityAssertionSetup | undefined
  close(): Promise<void>
}

/** The Redis connection kept across reloads, and the factory of the per-runtime store that speaks through it. */
export interface RedisSessions {
  readonly connection: RedisConnection
  /** Sessions by user and IdP session (back-channel logout, sign-out everywhere, the admin API). */
  readonly index: SessionIndex
  readonly revocations: Revocations
  store(jar: CookieJar, hmacKey: Buffer): SessionStore
}

/** Options of the long-lived resources' construction. */
export interface ResourceDeps {
  log: Logger
  accessLog?: Logger
  clock?: () => number
  /** This process is a `--workers` worker whose registry the primary sums. */
  clusterWorker?: boolean
  /** Started once per process by main.ts when an OTLP endpoint is set; the no-op tracer otherwise. */
  tracing?: Tracing
  /**
   * This process is a `--workers` worker: cookie sessions without Redis keep their revocation list in the primary,
   * which passes every revocation on to every worker.
   */
  revocationsViaPrimary?: boolean
}

/**
 * The Redis connection, opened when sessions live in Redis or a Redis is configured for the cookie store's revocation
 * list; it outlives every runtime. The Redis client (about 10 MiB and a third of a second to load) is imported only then.
 */
async function openRedis(config: Config, log: Logger): Promise<RedisConnection | undefined> {
  if (config.sessionStoreType !== 'redis' && !isRedisConfigured(config)) return undefined
  const { createRedisConnection } = await import('../session/redis-client.js')
  return createRedisConnection({
    connectionUrl: config.redisConnectionUrl,
    username: config.redisUsername,
    password: config.redisPassword,
    useSentinel: config.redisUseSentinel,
    sentinelMasterName: config.redisSentinelMasterName,
    sentinelConnectionUrls: config.redisSentinelConnectionUrls,
    sentinelPassword: config.redisSentinelPassword,
    useCluster: config.redisUseCluster,
    clusterConnectionUrls: config.redisClusterConnectionUrls,
    caPath: config.redisCaPath,
    insecureSkipTlsVerify: config.redisInsecureSkipTlsVerify,
    idleTimeoutSec: config.redisConnectionIdleTimeout,
    clientSideCache: config.redisClientSideCache,
    commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS,
    log,
  })
}

/** `--session-store-type=redis`: the session index, the revocations through it, and the store factory over `connection`. */
async function redisSessions(config: Config, connection: RedisConnection, tracing: Tracing): Promise<RedisSessions> {
  const [{ createRedisStore, createSessionMemory }, { createRedisSessionIndex }, { createRedisRevocations }] = await Promise.all([
    import('../session/redis-store.js'),
    import('../session/redis-index.js'),
    import('../session/revocation.js'),
  ])
  // One in-memory copy of the tracked sessions for every runtime's store over this connection.
  const traced = traceRedis(connection, tracing)
  const memory = createSessionMemory(traced)
  const name = config.cookieName
  const index = createRedisSessionIndex({ redis: connection, name, provider: config.oidcIssuerUrl === '' ? config.provider : config.oidcIssuerUrl, expireMs: config.cookieExpire })
  return {
    connection,
    index,
    revocations: createRedisRevocations({ redis: connection, index, name }),
    store: (jar, hmacKey) => traceStore(createRedisStore({ jar, hmacKey, redis: traced, memory, index }), tracing),
  }
}

/**
 * Cookie sessions: the revocation list in Redis when one is configured (every replica sees it), else through the
 * `--workers` primary (every worker sees it), else in this process.
 */
async function cookieRevocations(config: Config, deps: ResourceDeps, connection: RedisConnection | undefined, clock: () => number): Promise<Revocations> {
  if (connection !== undefined) {
    const { createRevocationMirror } = await import('../session/revocation-mirror.js')
    return createRevocationMirror({ redis: connection, name: config.cookieName, expireMs: config.cookieExpire, clock, log: deps.log })
  }
  if (deps.revocationsViaPrimary === true) {
    const { connectRevocationRelay } = await import('../cluster/revocation-relay.js')
    return connectRevocationRelay({ expireMs: config.cookieExpire, clock })
  }
  return createCookieRevocations({ expireMs: config.cookieExpire, clock })
}

/** Builds the resources that survive reloads from the configuration the process started with. */
export async function createResources(config: Config, deps: ResourceDeps): Promise<Resources> {
  const metrics = createMetrics(
    { proxyPrefix: config.proxyPrefix, pingPath: config.pingPath, readyPath: config.readyPath },
    { processMetrics: config.metricsAddress !== '' || config.metricsSecureAddress !== '', clusterWorker: deps.clusterWorker === true },
  )
  const tracing = deps.tracing ?? NOOP_TRACING
  const providerFetch = instrumentFetch(traceFetch(createProviderFetch({
    caFiles: config.providerCaFiles,
    useSystemTrustStore: config.useSystemTrustStore,
    insecureSkipVerify: config.sslInsecureSkipVerify,
    timeoutMs: PROVIDER_TIMEOUT_MS,
  }), tracing), metrics)
  const clock = deps.clock ?? Date.now
  const connection = await openRedis(config, deps.log)
  const redis = connection !== undefined && config.sessionStoreType === 'redis' ? await redisSessions(config, connection, tracing) : undefined
  const revocations = redis?.revocations ?? (await cookieRevocations(config, deps, connection, clock))
  const pools = createPools()
  const identityAssertion = await createIdentityAssertionFromConfig(config, { clock, log: deps.log, routes: routesOf(config) })
  return {
    log: deps.log,
    accessLog: deps.accessLog ?? deps.log,
    clock,
    metrics,
    tracing,
    keys: cookieSecretKeys(config.cookieSecret),
    redis,
    providerFetch,
    pools,
    revocations,
    identityAssertion,
    async close() {
      identityAssertion?.ring.close()
      revocations.close()
      await pools.close()
      await connection?.close()
    },
  }
}
