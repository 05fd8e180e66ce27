import { readFileSync } from 'node:fs'
import { createIdentityAssertionFromConfig } from './assertion/from-config.js'
import { createAuthenticator } from './auth/authenticate.js'
import { createAuthorizer } from './auth/authorize.js'
import { createBasicSessionLoader } from './auth/basic-auth.js'
import { createBearerSessionLoader } from './auth/bearer-jwt.js'
import { chainHeaderSessions } from './auth/header-sessions.js'
import { loadHtpasswdFile } from './auth/htpasswd-file.js'
import { createEmailRules, parseAuthenticatedEmailsFile } from './auth/email-rules.js'
import { createRedirectValidator } from './auth/redirect.js'
import { createApiRouteMatcher, createRouteMatcher } from './auth/routes.js'
import { providerEntries, structuredOf } from './config/provider-entries.js'
import type { Config } from './config/schema.js'
import { createCsrfCookies } from './cookies/csrf.js'
import { createCookieJar } from './cookies/jar.js'
import { cookieSecretKeys } from './crypto/cookie-secret.js'
import { createAuthHandler } from './handlers/auth.js'
import { createCallbackHandler } from './handlers/callback.js'
import { createReadyHandler, createRobotsHandler, isPing, pingHandler } from './handlers/health.js'
import { createProxyHandler } from './handlers/proxy.js'
import type { Services } from './handlers/services.js'
import { createSignInHandler } from './handlers/sign-in.js'
import { withPasswordSignIn } from './handlers/sign-in-post.js'
import { createSignOutHandler } from './handlers/sign-out.js'
import { createStartHandler } from './handlers/start.js'
import { createUpgradeHandler } from './handlers/upgrade.js'
import { createJwksHandler } from './handlers/jwks.js'
import { createUserInfoHandler } from './handlers/userinfo.js'
import { createHeaderInjector, injectorPlanOf } from './headers/inject.js'
import { createOriginResolver } from './http/forwarded.js'
import { createPages } from './http/pages.js'
import { redirect } from './http/reply.js'
import { createRouter } from './http/router.js'
import { createHttpServer, describe, type Handler, type ProxyServer } from './http/server.js'
import { createIpSet } from './lib/cidr.js'
import { createAccessLog } from './log/access-log.js'
import type { Logger } from './log/logger.js'
import { instrumentFetch, instrumentStore } from './metrics/instrument.js'
import { createMetrics, type Metrics } from './metrics/registry.js'
import { readPageTemplates } from './pages/custom-templates.js'
import { readLogo } from './pages/logo.js'
import { createBearerVerifierFromConfig } from './providers/bearer-from-config.js'
import { createProviderFetch } from './providers/http-client.js'
import { createProviderFromConfig } from './providers/registry.js'
import { createCookieStore } from './session/cookie-store.js'
import type { SessionStore } from './session/store.js'
import { createForwarder } from './upstream/forward.js'
import { compileRouteTable } from './policy/route-table.js'
import type { RoutesSpec } from './policy/spec.js'
import { createRouteTargets } from './upstream/route-targets.js'
import { createGapSigner } from './upstream/gap-signature.js'
import { createUpstreamTable } from './upstream/table.js'
import { VERSION } from './version.js'

/** Bound on every call to the identity provider. */
const PROVIDER_TIMEOUT_MS = 10_000
/** Bound on every Redis command, waiting for a reconnect included: past it the request gets a 503. */
const REDIS_COMMAND_TIMEOUT_MS = 3_000

/**
 * `--session-store-type`: the session in the cookie itself, or in Redis behind a ticket cookie. The Redis client
 * (about 10 MiB and a third of a second to load) is imported only when sessions live in Redis.
 */
async function createSessionStore(config: Config, jar: ReturnType<typeof createCookieJar>, keys: { hmacKey: Buffer; aesKey: Buffer }, log: Logger): Promise<SessionStore> {
  if (config.sessionStoreType !== 'redis') return createCookieStore({ jar, ...keys, minimal: config.sessionCookieMinimal })
  const [{ createRedisConnection }, { createRedisStore }] = await Promise.all([import('./session/redis-client.js'), import('./session/redis-store.js')])
  const redis = createRedisConnection({
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
  return createRedisStore({ jar, hmacKey: keys.hmacKey, redis })
}

export interface App {
  /** The HTTP server, or the HTTPS one (HTTP/2 and HTTP/1.1) when a certificate is configured (only one runs, as in oauth2-proxy). */
  server: ProxyServer
  services: Services
  /** The Prometheus registry, served by main.ts on `--metrics-address` / `--metrics-secure-address`. */
  metrics: Metrics
  close(): Promise<void>
}

/** The composition root: builds every service from the config and wires the route table; `accessLog` defaults to `log`. */
export async function createApp(config: Config, deps: { log: Logger; accessLog?: Logger; clock?: () => number; clusterWorker?: boolean; routes?: RoutesSpec | undefined }): Promise<App> {
  const { log } = deps
  const clock = deps.clock ?? Date.now
  const keys = cookieSecretKeys(config.cookieSecret)
  const jar = createCookieJar({
    name: config.cookieName,
    domains: config.cookieDomains,
    path: config.cookiePath,
    expireMs: config.cookieExpire,
    secure: config.cookieSecure,
    httpOnly: config.cookieHttponly,
    sameSite: config.cookieSamesite as '' | 'lax' | 'strict' | 'none',
    csrfExpireMs: config.cookieCsrfExpire,
    csrfSameSite: config.cookieCsrfSamesite as '' | 'lax' | 'strict' | 'none',
  })
  const csrf = createCsrfCookies({ jar, ...keys, perRequest: config.cookieCsrfPerRequest, perRequestLimit: config.cookieCsrfPerRequestLimit })
  const metrics = createMetrics(
    { proxyPrefix: config.proxyPrefix, pingPath: config.pingPath, readyPath: config.readyPath },
    { processMetrics: config.metricsAddress !== '' || config.metricsSecureAddress !== '', clusterWorker: deps.clusterWorker === true },
  )
  const store = instrumentStore(await createSessionStore(config, jar, keys, log), metrics)
  const providerFetch = instrumentFetch(createProviderFetch({
    caFiles: config.providerCaFiles,
    useSystemTrustStore: config.useSystemTrustStore,
    insecureSkipVerify: config.sslInsecureSkipVerify,
    timeoutMs: PROVIDER_TIMEOUT_MS,
  }), metrics)
  // One provider signs users in today: the first configured (oauth2-proxy uses Providers[0] too).
  const primary = providerEntries(config)[0]?.settings ?? config
  const { provider, allowedGroups } = createProviderFromConfig(primary, { fetch: providerFetch, timeoutMs: PROVIDER_TIMEOUT_MS, log, env: process.env })
  const emails = config.authenticatedEmailsFile === '' ? [] : parseAuthenticatedEmailsFile(readFileSync(config.authenticatedEmailsFile, 'utf8'))
  const authorizer = createAuthorizer({
    emailRules: createEmailRules({ domains: config.emailDomains, emails }),
    allowedGroups,
    skipAuthPreflight: config.skipAuthPreflight,
    isSkipAuthRoute: createRouteMatcher(config.skipAuthRoutes),
    trustedIps: config.trustedIps.length > 0 ? createIpSet(config.trustedIps) : undefined,
  })
  const templates = config.customTemplatesDir === '' ? undefined : readPageTemplates(config.customTemplatesDir)
  const htpasswd = config.htpasswdFile === '' ? undefined : loadHtpasswdFile(config.htpasswdFile, log)
  const bearer = config.skipJwtBearerTokens ? createBearerVerifierFromConfig(config, { fetch: providerFetch, timeoutMs: PROVIDER_TIMEOUT_MS, clock }) : undefined
  const headerSessions = chainHeaderSessions([
    bearer && createBearerSessionLoader({ verify: (token) => bearer.verify(token), loginFallback: config.bearerTokenLoginFallback, clock }),
    htpasswd && createBasicSessionLoader({ validator: htpasswd.validator, groups: config.htpasswdUserGroups, preferEmailToUser: config.preferEmailToUser }),
  ])
  const upstreams = createUpstreamTable(structuredOf(config).upstreamConfig)
  const routeTable = deps.routes === undefined ? undefined : compileRouteTable(deps.routes)
  const identityAssertion = await createIdentityAssertionFromConfig(config, { clock, log })
  const services: Services = {
    settings: {
      proxyPrefix: config.proxyPrefix,
      redirectUrl: config.redirectUrl,
      relativeRedirectUrl: config.relativeRedirectUrl,
      cookieSecure: config.cookieSecure,
      codeChallengeMethod: config.codeChallengeMethod,
      encodeState: config.encodeState,
      skipNonce: config.insecureOidcSkipNonce,
      skipProviderButton: config.skipProviderButton,
      forceJsonErrors: config.forceJsonErrors,
      backendLogoutUrl: config.backendLogoutUrl,
      pingPath: config.pingPath,
      pingUserAgent: config.pingUserAgent,
      readyPath: config.readyPath,
      gcpHealthChecks: config.gcpHealthchecks,
    },
    log,
    pages: createPages({
      proxyPrefix: config.proxyPrefix,
      providerName: provider.displayName,
      banner: config.banner,
      footer: config.footer,
      emailDomains: config.emailDomains,
      version: VERSION,
      showDebugOnError: config.showDebugOnError,
      customLogin: htpasswd !== undefined && config.displayHtpasswdForm,
      logoHtml: readLogo(config.customSignInLogo),
      ...(templates === undefined ? {} : { templates }),
    }),
    jar,
    csrf,
    store,
    provider,
    authenticator: createAuthenticator({ store, provider, refreshAfterMs: config.cookieRefresh, clock, log, lockTtlMs: PROVIDER_TIMEOUT_MS + 5_000, onRefresh: metrics.refresh, ...(headerSessions === undefined ? {} : { headerSessions }) }),
    authorizer,
    headers: createHeaderInjector(injectorPlanOf(config)),
    isValidRedirect: createRedirectValidator(config.whitelistDomains),
    isApiRoute: createApiRouteMatcher(config.apiRoutes),
    upstreams,
    routes: routeTable === undefined ? undefined : { table: routeTable, targets: createRouteTargets(routeTable.routes, upstreams) },
    forwarder: createForwarder({
      passHostHeader: config.passHostHeader,
      insecureSkipVerify: config.sslUpstreamInsecureSkipVerify,
      timeoutMs: config.upstreamTimeout,
      flushIntervalMs: config.flushInterval,
      keepAlive: !config.disableKeepAlives,
      proxyWebSockets: config.proxyWebsockets,
      onUpstreamResponse: metrics.upstreamResponse,
      ...(config.signatureKey === '' ? {} : { signRequest: createGapSigner(config.signatureKey) }),
    }),
    metrics,
    providerFetch,
    clock,
    ...(identityAssertion === undefined ? {} : { identityAssertion }),
  }

  const prefix = config.proxyPrefix
  const router = createRouter(
    [
      { path: '/robots.txt', handler: createRobotsHandler(templates?.robots) },
      { path: `${prefix}/auth`, handler: createAuthHandler(services) },
      {
        path: `${prefix}/sign_in`,
        handler: withPasswordSignIn(services, htpasswd && { validator: htpasswd.validator, groups: config.htpasswdUserGroups }, createSignInHandler(services)),
        noCache: true,
      },
      { path: `${prefix}/start`, handler: createStartHandler(services), noCache: true },
      { path: `${prefix}/callback`, handler: createCallbackHandler(services), noCache: true },
      { path: `${prefix}/sign_out`, handler: createSignOutHandler(services), noCache: true },
      { path: `${prefix}/userinfo`, handler: createUserInfoHandler(services), noCache: true },
      ...(identityAssertion === undefined
        ? []
        : [`${prefix}/jwks.json`, '/.well-known/jwks.json'].map((path) => ({ path, handler: createJwksHandler(identityAssertion.ring, config.assertionKeyPublishAhead) }))),
    ],
    createProxyHandler(services),
  )
  const ready = createReadyHandler(services)
  const httpsPort = /:(\d+)$/.exec(config.httpsAddress)?.[1] ?? '443'
  // Health checks and the HTTPS redirect run before routing and authentication, as in oauth2-proxy's pre-auth chain.
  const handler: Handler = (ctx) => {
    if (isPing(ctx, services)) return pingHandler(ctx)
    if (ctx.pathname === config.readyPath) return ready(ctx)
    if (config.forceHttps && ctx.origin.proto !== 'https') {
      const host = ctx.origin.host.replace(/:\d+$/, '')
      return redirect(ctx.res, `https://${host}${httpsPort === '443' ? '' : `:${httpsPort}`}${ctx.rawUrl}`, 308)
    }
    return router(ctx)
  }

  const tls = config.tlsCertFile !== '' && config.tlsKeyFile !== ''
    ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile), minVersion: config.tlsMinVersion === 'TLS1.3' ? ('TLSv1.3' as const) : ('TLSv1.2' as const) }
    : undefined
  const server = createHttpServer({
    handler,
    upgrade: createUpgradeHandler(services),
    resolveOrigin: createOriginResolver({ reverseProxy: config.reverseProxy, trustedProxyIps: config.trustedProxyIps, realClientIpHeader: config.realClientIpHeader }),
    log,
    pages: services.pages,
    requestIdHeader: config.requestIdHeader.toLowerCase(),
    forceJsonErrors: config.forceJsonErrors,
    requestObserver: metrics,
    accessLog: createAccessLog(deps.accessLog ?? log, {
      enabled: config.requestLogging,
      excludePaths: config.excludeLoggingPaths,
      silencePaths: config.silencePingLogging ? [config.pingPath, config.readyPath] : [],
    }),
    ...(tls === undefined ? {} : { tls, http2: config.http2 }),
  })

  void bearer?.warmUp()
  provider.warmUp().catch((err: unknown) => {
    log.warn({ event: 'provider.discovery.failed', error: describe(err) }, 'identity provider not reachable yet; will retry on the first sign-in')
  })

  return {
    server,
    services,
    metrics,
    async close() {
      htpasswd?.close()
      identityAssertion?.ring.close()
      await services.forwarder.close()
      await store.close()
    },
  }
}
