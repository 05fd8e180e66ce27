import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { Server as TlsServer } from 'node:tls'
import { createAdminAccess } from './admin/admin-access.js'
import { createAdminServer } from './admin/admin-server.js'
import { listenersOf } from './config/listeners.js'
import type { Config } from './config/schema.js'
import { createHttpServer, type ProxyServer } from './http/server.js'
import type { Logger } from './log/logger.js'
import type { Metrics } from './metrics/registry.js'
import { compileRuntime } from './runtime/compile.js'
import { createResources, type ResourceDeps } from './runtime/resources.js'
import type { Runtime } from './runtime/runtime.js'
import { createRuntimeSlot } from './runtime/slot.js'

/** One main listener: its address as configured, whether it speaks TLS, and its server (over the same runtime as the others). */
export interface AppListener {
  readonly address: string
  readonly tls: boolean
  readonly server: ProxyServer
}

export interface App {
  /**
   * The main listeners (config/listeners.ts): plain HTTP, HTTPS (HTTP/2 and HTTP/1.1), or both with an alpha file
   * that sets both bind addresses; each serves the runtime in force.
   */
  readonly listeners: readonly AppListener[]
  /** The runtime in force: what the next request will be served with. */
  readonly runtime: Runtime
  /** The Prometheus registry, served by main.ts on `--metrics-address` / `--metrics-secure-address`. */
  metrics: Metrics
  /** The session admin API and page, served by main.ts on `--admin-address`; undefined when that is not set. */
  adminServer: Server | undefined
  /**
   * Compiles `config` beside the runtime in force and swaps it in; throws (ConfigError for a bad file) and changes
   * nothing when it does not compile. Options a reload cannot change are checked by the caller (runtime/reload.ts).
   */
  install(config: Config): void
  close(): Promise<void>
}

/**
 * The composition root: builds the long-lived resources, compiles the configuration into the first runtime and
 * serves it; `install` swaps in another. `accessLog` defaults to `log`.
 */
export async function createApp(config: Config, deps: ResourceDeps): Promise<App> {
  const resources = await createResources(config, deps)
  let first: Runtime
  try {
    first = compileRuntime(config, resources)
  } catch (err) {
    await resources.close()
    throw err
  }
  const slot = createRuntimeSlot(first, (drained, live) => {
    drained.close()
    // Pools no live runtime routes to are closed once the requests already sent on them are answered.
    void resources.pools.prune(new Set(live.flatMap((r) => r.poolIds)))
  })
  const listeners = listenersOf(config).map((spec): AppListener => {
    if (spec.tls && first.tls === undefined) throw new Error('a TLS listener without a certificate')
    const server = createHttpServer({
      plan: slot,
      log: deps.log,
      requestObserver: resources.metrics,
      tracing: resources.tracing,
      ...(spec.tls && first.tls !== undefined ? { tls: first.tls, http2: config.http2 } : {}),
    })
    return { ...spec, server }
  })
  first.warmUp()
  const { revocations, log, metrics, clock, keys } = resources
  const adminServer = config.adminAddress === '' ? undefined : createAdminServer({
    access: createAdminAccess({
      token: config.adminTokenFile !== '' ? readFileSync(config.adminTokenFile, 'utf8').trim() : config.adminToken === '' ? undefined : config.adminToken,
      group: config.adminGroup === '' ? undefined : config.adminGroup,
      // An admin's own session is read with the cookie settings in force.
      store: { load: (cookies, now) => slot.runtime.services.store.load(cookies, now) },
      revocations,
      hmacKey: keys.hmacKey,
      clock,
    }),
    revocations,
    log,
    metrics,
    clock,
  })

  return {
    listeners,
    get runtime() {
      return slot.runtime
    },
    metrics: resources.metrics,
    adminServer,
    install(next) {
      const runtime = compileRuntime(next, resources)
      // A renewed certificate takes effect for new connections; whether HTTPS runs at all needs a restart.
      for (const { server } of listeners) if (runtime.tls !== undefined && server instanceof TlsServer) server.setSecureContext(runtime.tls)
      resources.metrics.setRoutes({ proxyPrefix: next.proxyPrefix, pingPath: next.pingPath, readyPath: next.readyPath })
      slot.swap(runtime)
      runtime.warmUp()
    },
    async close() {
      for (const runtime of slot.live()) runtime.close()
      await resources.close()
    },
  }
}
