import cluster from 'node:cluster'
import type { Server } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { loadConfig, type LoadResult } from './config/load.js'
import type { Config } from './config/schema.js'
import { ConfigError } from './errors.js'
import { listen, parseListenAddress } from './http/listen.js'
import { drainServers, listenAll } from './http/serve.js'
import { heapGrowthFlag } from './lib/heap-growth.js'
import { createLoggers, type Logger } from './log/logger.js'
import { closeMetricsListeners, startMetricsListeners } from './metrics/listeners.js'
import { createLogOutput } from './log/output.js'
import { logSettingsFromConfig } from './log/settings.js'
import type { TracingSettings } from './config/tracing-settings.js'
import { NOOP_TRACING, type Tracing } from './tracing/tracing.js'

/** How long in-flight requests may run after SIGTERM before their connections are cut. */
const DRAIN_TIMEOUT_MS = 25_000
/** After the drain timeout, how long closing the services (Redis, upstream pools) may take before the process exits anyway. */
const CLOSE_GRACE_MS = 2_000
/** How long the last spans may take to reach the collector at shutdown. */
const TRACE_FLUSH_TIMEOUT_MS = 5_000

async function main(): Promise<number> {
  if (process.argv[2] === 'policy') {
    const { runPolicyCommand } = await import('./policy-command.js')
    return runPolicyCommand(process.argv.slice(3), (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`))
  }
  // A smaller old-generation growth factor than V8's own (src/lib/heap-growth.ts); read at every full collection.
  const heapFlag = heapGrowthFlag(process.execArgv, process.env['NODE_OPTIONS'])
  if (heapFlag !== undefined) setFlagsFromString(heapFlag)
  // Until serving starts, a SIGHUP (a reload asked for too early) must not end the process, as it would by default.
  process.on('SIGHUP', ignoreEarlyHangup)
  const input = { argv: process.argv.slice(2), env: process.env }
  let loaded
  try {
    loaded = loadConfig(input)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatehouse: ${err.message}\n`)
      return 1
    }
    throw err
  }
  if (loaded.kind !== 'config') {
    process.stdout.write(loaded.text.endsWith('\n') ? loaded.text : `${loaded.text}\n`)
    return 0
  }
  const { config } = loaded
  if (loaded.configTest) {
    for (const warning of loaded.warnings) process.stderr.write(`gatehouse: warning: ${warning}\n`)
    process.stdout.write('configuration is valid\n')
    return 0
  }
  const output = createLogOutput(config.loggingFilename, {
    maxSizeMb: config.loggingMaxSize,
    maxAgeDays: config.loggingMaxAge,
    maxBackups: config.loggingMaxBackups,
    localTime: config.loggingLocalTime,
    compress: config.loggingCompress,
  })
  // With --workers every process's JSON lines say which process wrote them.
  const clustered = config.workers > 1
  const settings = logSettingsFromConfig(config)
  const { log, access } = createLoggers(clustered ? { ...settings, fields: { pid: process.pid } } : settings, output)
  const files = loaded.files
  const reload = (): ReturnType<typeof loadConfig> => loadConfig(input)
  if (cluster.isWorker) return serve(config, { files, reload, tracing: loaded.tracing }, log, access)
  if (!config.requestLogging && !config.authLogging && !config.standardLogging) {
    process.stderr.write('gatehouse: warning: request, auth and standard logging are all off; nothing more will be logged\n')
  }
  for (const warning of loaded.warnings) log.warn({ event: 'config.warning' }, warning)
  if (config.reverseProxy && config.trustedProxyIps.length === 0) {
    log.warn({ event: 'config.warning' }, 'reverse-proxy is on without trusted-proxy-ip: every peer may set X-Forwarded-* and X-Real-IP; set --trusted-proxy-ip to your proxies\' addresses')
  }
  const csrfSameSite = config.cookieCsrfSamesite === '' ? config.cookieSamesite : config.cookieCsrfSamesite
  if (config.authRequestResponseMode === 'form_post' && (csrfSameSite === 'lax' || csrfSameSite === 'strict')) {
    // The IdP's form_post is a cross-site POST: browsers do not send a Lax or Strict CSRF cookie with it.
    log.warn({ event: 'config.warning' }, `auth-request-response-mode=form_post with a SameSite=${csrfSameSite} CSRF cookie: browsers will not send it with the IdP's POST; set --cookie-csrf-samesite=none (with Secure cookies)`)
  }
  if (clustered) {
    const { runPrimary } = await import('./cluster/primary.js')
    return runPrimary(config, log, { workers: config.workers, drainTimeoutMs: DRAIN_TIMEOUT_MS + 5_000 })
  }
  return serve(config, { files, reload, tracing: loaded.tracing }, log, access)
}

function ignoreEarlyHangup(): void {}

/** Serves requests in this process (alone, or as one `--workers` worker) until SIGTERM/SIGINT; resolves with the exit code. */
async function serve(config: Config, sources: { files: readonly string[]; reload: () => LoadResult; tracing: TracingSettings | undefined }, log: Logger, access: Logger): Promise<number> {
  const [{ createApp }, { createReloader }, { startReloadTriggers }] = await Promise.all([import('./app.js'), import('./runtime/reload.js'), import('./runtime/triggers.js')])
  const tracing = await startTracing(sources.tracing, log)
  const worker = cluster.isWorker
  // A worker hands its registry to the primary only when the primary serves metrics.
  const metricsOn = config.metricsAddress !== '' || config.metricsSecureAddress !== ''
  let app
  try {
    app = await createApp(config, { log, accessLog: access, clusterWorker: worker && metricsOn, tracing, revocationsViaPrimary: worker })
  } catch (err) {
    // Files read at start (e.g. --htpasswd-file) are checked here; their problems are config errors like the others.
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`gatehouse: ${err.message}\n`)
    return 1
  }
  if (app.listeners.length === 0) {
    process.stderr.write('gatehouse: no listen address: set --http-address or --https-address (with --alpha-config: server.bindAddress or server.secureBindAddress)\n')
    return 1
  }
  // A worker shares the primary's sockets (which cleared stale unix socket files once) and leaves the metrics
  // listeners to the primary, which sums every worker's registry.
  await listenAll(app.listeners, log, { removeStale: !worker, fields: { upstreams: config.upstreams } })
  const metricsServers: Server[] = worker ? [] : await startMetricsListeners(config, app.metrics, log)
  // SIGHUP and --watch-config: every file read again, swapped in only when valid (docs/operations.md, "Reloading").
  const reloader = createReloader({ host: app, load: sources.reload, files: sources.files, log, metrics: app.metrics })
  const triggers = startReloadTriggers({ reloader, files: sources.files, watch: config.watchConfig, log })
  process.off('SIGHUP', ignoreEarlyHangup)
  // Every worker listens on the admin address too (node:cluster shares the socket, as for the main address).
  const adminAddress = parseListenAddress(config.adminAddress)
  if (app.adminServer !== undefined && adminAddress !== undefined) {
    const at = await listen(app.adminServer, adminAddress, !worker)
    metricsServers.push(app.adminServer)
    log.info({ event: 'admin.listening', address: at }, `session admin on http://${at}/`)
  }

  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      triggers.stop()
      log.info({ event: 'server.stopping', signal }, 'draining in-flight requests')
      closeMetricsListeners(metricsServers)
      // The last resort: a handle that outlives the drain (a client still reconnecting to an unusable service) must
      // not keep the process up. Unreferenced, it fires only when something is still holding the event loop.
      const deadline = setTimeout(() => {
        log.warn({ event: 'server.stop.forced' }, 'still running after the drain timeout; exiting')
        log.flush()
        process.exit(1)
      }, DRAIN_TIMEOUT_MS + CLOSE_GRACE_MS)
      deadline.unref()
      void drainServers(app.listeners.map((l) => l.server), DRAIN_TIMEOUT_MS).then(() => {
        for (const m of metricsServers) m.closeAllConnections()
        void app.close().then(() => flushTraces(tracing, log)).finally(() => {
          log.info({ event: 'server.stopped' }, 'stopped')
          log.flush()
          resolve(0)
        })
      })
    }
    // A worker may get the signal twice (from the primary and from a supervisor signalling the whole process group,
    // as systemd does): it keeps draining instead of dying on the second.
    const on = worker ? process.on.bind(process) : process.once.bind(process)
    on('SIGTERM', () => stop('SIGTERM'))
    on('SIGINT', () => stop('SIGINT'))
  })
}

/** The OpenTelemetry SDK, loaded only when tracing is on (like Redis and prom-client, it is a lazy chunk). */
async function startTracing(settings: TracingSettings | undefined, log: Logger): Promise<Tracing> {
  if (settings === undefined) return NOOP_TRACING
  const { startTracing: start } = await import('./tracing/otel.js')
  const tracing = await start(settings)
  const url = new URL(settings.url)
  log.info({ event: 'tracing.started', endpoint: `${url.origin}${url.pathname}`, protocol: settings.protocol, sampleRatio: settings.ratio, parentBased: settings.parentBased, serviceName: settings.serviceName }, 'exporting traces over OTLP/HTTP')
  return tracing
}

/** Sends the spans still buffered before the process exits, waiting at most TRACE_FLUSH_TIMEOUT_MS. */
async function flushTraces(tracing: Tracing, log: Logger): Promise<void> {
  if (!tracing.enabled) return
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), TRACE_FLUSH_TIMEOUT_MS)))
  const outcome = await Promise.race([tracing.shutdown().then(() => 'done' as const, (err: unknown) => (err instanceof Error ? err.message : String(err))), timeout])
  clearTimeout(timer)
  if (outcome !== 'done') log.warn({ event: 'tracing.flush.failed', error: outcome }, 'the last spans could not be exported')
}

main().then(
  (code) => {
    process.exitCode = code
    // A worker's IPC channel with the primary would keep it alive after the drain.
    if (code !== 0 || cluster.isWorker) process.exit(code)
  },
  (err: unknown) => {
    process.stderr.write(`gatehouse: fatal: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
