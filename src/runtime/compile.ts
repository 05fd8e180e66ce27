import type { Config } from '../config/schema.js'
import { createAuthHandler } from '../handlers/auth.js'
import { createBackchannelLogoutHandler } from '../handlers/backchannel-logout.js'
import { createCallbackHandler } from '../handlers/callback.js'
import { createReadyHandler, createRobotsHandler, isPing, pingHandler } from '../handlers/health.js'
import { createProxyHandler } from '../handlers/proxy.js'
import { createSignInHandler } from '../handlers/sign-in.js'
import { withPasswordSignIn } from '../handlers/sign-in-post.js'
import { createSignOutHandler } from '../handlers/sign-out.js'
import { createStartHandler } from '../handlers/start.js'
import { createUpgradeHandler } from '../handlers/upgrade.js'
import { createJwksHandler } from '../handlers/jwks.js'
import { createUserInfoHandler } from '../handlers/userinfo.js'
import { tlsContentsOf } from '../config/listeners.js'
import { opensslCipherList } from '../config/tls-ciphers.js'
import { createOriginResolver } from '../http/forwarded.js'
import { redirect } from '../http/reply.js'
import { createRouter } from '../http/router.js'
import { describe, type Handler, type RequestPlan } from '../http/server.js'
import { createAccessLog } from '../log/access-log.js'
import { compileServices, type CompiledServices } from './compile-services.js'
import type { Resources } from './resources.js'
import type { Runtime, TlsMaterial } from './runtime.js'

/** The route table: the built-in endpoints under `--proxy-prefix`, then everything else to the proxy handler. */
function compileRoutes(config: Config, compiled: CompiledServices, resources: Resources): Handler {
  const { services, templates, htpasswd, formTokens } = compiled
  const keyRing = resources.identityAssertion?.ring
  const prefix = config.proxyPrefix
  const router = createRouter(
    [
      { path: '/robots.txt', handler: createRobotsHandler(templates?.robots) },
      { path: `${prefix}/auth`, handler: createAuthHandler(services) },
      {
        path: `${prefix}/sign_in`,
        handler: withPasswordSignIn(services, htpasswd && formTokens && { validator: htpasswd.validator, tokens: formTokens, groups: config.htpasswdUserGroups }, createSignInHandler(services)),
        noCache: true,
      },
      { path: `${prefix}/start`, handler: createStartHandler(services), noCache: true },
      { path: `${prefix}/callback`, handler: createCallbackHandler(services), noCache: true },
      { path: `${prefix}/sign_out`, handler: createSignOutHandler(services), noCache: true },
      { path: `${prefix}/userinfo`, handler: createUserInfoHandler(services), noCache: true },
      { path: `${prefix}/backchannel_logout`, handler: createBackchannelLogoutHandler(services), noCache: true },
      ...(keyRing === undefined
        ? []
        : [`${prefix}/jwks.json`, '/.well-known/jwks.json'].map((path) => ({ path, handler: createJwksHandler(keyRing, config.assertionKeyPublishAhead) }))),
    ],
    createProxyHandler(services),
  )
  const ready = createReadyHandler(services)
  const httpsPort = /:(\d+)$/.exec(config.httpsAddress)?.[1] ?? '443'
  // Health checks and the HTTPS redirect run before routing and authentication, as in oauth2-proxy's pre-auth chain.
  return (ctx) => {
    if (isPing(ctx, services)) return pingHandler(ctx)
    if (ctx.pathname === config.readyPath) return ready(ctx)
    if (config.forceHttps && ctx.origin.proto !== 'https') {
      const host = ctx.origin.host.replace(/:\d+$/, '')
      return redirect(ctx.res, `https://${host}${httpsPort === '443' ? '' : `:${httpsPort}`}${ctx.rawUrl}`, 308)
    }
    return router(ctx)
  }
}

/** The HTTPS listener's certificate and key with its TLS settings; taken again by every compile, so a reload picks up a renewed certificate. */
function readTls(config: Config): TlsMaterial | undefined {
  const contents = tlsContentsOf(config)
  if (contents === undefined) return undefined
  return { ...contents, minVersion: config.tlsMinVersion === 'TLS1.3' ? 'TLSv1.3' : 'TLSv1.2', ciphers: opensslCipherList(config.tlsCipherSuites) }
}

/**
 * Compiles a configuration into a frozen Runtime over the long-lived resources. Throws ConfigError when a file the
 * configuration names does not hold up (htpasswd, upstreams); nothing is left running when it throws.
 */
export function compileRuntime(config: Config, resources: Resources): Runtime {
  const tls = readTls(config)
  const compiled = compileServices(config, resources)
  const { services, htpasswd } = compiled
  const plan: RequestPlan = {
    handler: compileRoutes(config, compiled, resources),
    upgrade: createUpgradeHandler(services),
    resolveOrigin: createOriginResolver({ reverseProxy: config.reverseProxy, trustedProxyIps: config.trustedProxyIps, realClientIpHeader: config.realClientIpHeader }),
    pages: services.pages,
    requestIdHeader: config.requestIdHeader.toLowerCase(),
    forceJsonErrors: config.forceJsonErrors,
    allowQuerySemicolons: config.allowQuerySemicolons,
    accessLog: createAccessLog(resources.accessLog, {
      enabled: config.requestLogging,
      excludePaths: config.excludeLoggingPaths,
      silencePaths: config.silencePingLogging ? [config.pingPath, config.readyPath] : [],
    }),
  }
  const { log } = resources
  return Object.freeze({
    config,
    services: Object.freeze(services),
    providers: new Map(services.idps.list.map((idp) => [idp.id, idp.provider])),
    plan: Object.freeze(plan),
    // The pools of the path table and of routes with an upstream of their own.
    poolIds: Object.freeze(services.forwarder.poolIds([...services.upstreams.targets, ...(services.routes?.targets.values() ?? [])])),
    tls,
    warmUp() {
      compiled.warmUp().catch((err: unknown) => {
        log.warn({ event: 'provider.discovery.failed', error: describe(err) }, 'identity provider not reachable yet; will retry on the first sign-in')
      })
    },
    close() {
      htpasswd?.close()
    },
  })
}
