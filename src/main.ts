import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { createApp } from './app.js'
import { loadConfig } from './config/load.js'
import { ConfigError } from './errors.js'
import { listen, parseListenAddress } from './http/listen.js'
import { createLoggers } from './log/logger.js'
import { createMetricsServer } from './metrics/server.js'
import { createLogOutput } from './log/output.js'
import { logSettingsFromConfig } from './log/settings.js'

/** How long in-flight requests may run after SIGTERM before their connections are cut. */
const DRAIN_TIMEOUT_MS = 25_000

async function main(): Promise<number> {
  let loaded
  try {
    loaded = loadConfig({ argv: process.argv.slice(2), env: process.env })
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatehouse: ${err.message}\n`)
      return 1
    }
    throw err
  }
  if (loaded.kind !== 'config') {
    process.stdout.write(`${loaded.text}\n`)
    return 0
  }
  const { config } = loaded
  if (loaded.configTest) {
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
  const { log, access } = createLoggers(logSettingsFromConfig(config), { out: output.out })
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
  let app
  try {
    app = createApp(config, { log, accessLog: access })
  } catch (err) {
    // Files read at start (e.g. --htpasswd-file) are checked here; their problems are config errors like the others.
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`gatehouse: ${err.message}\n`)
    return 1
  }
  const tlsOn = config.tlsCertFile !== '' && config.tlsKeyFile !== ''
  // oauth2-proxy runs only the HTTPS listener once a certificate is configured.
  const address = parseListenAddress(tlsOn ? config.httpsAddress : config.httpAddress)
  if (address === undefined) {
    process.stderr.write('gatehouse: no listen address: set --http-address or --https-address\n')
    return 1
  }
  const where = await listen(app.server, address)
  log.info({ event: 'server.listening', address: where, tls: tlsOn, upstreams: config.upstreams }, `gatehouse listening on ${tlsOn ? 'https' : 'http'}://${where}`)
  const metricsServers: Server[] = []
  for (const [value, secure] of [[config.metricsAddress, false], [config.metricsSecureAddress, true]] as const) {
    const metricsAddress = parseListenAddress(value)
    if (metricsAddress === undefined) continue
    const tls = secure ? { cert: readFileSync(config.metricsTlsCertFile), key: readFileSync(config.metricsTlsKeyFile) } : undefined
    const metricsServer = createMetricsServer(app.metrics, tls)
    const at = await listen(metricsServer, metricsAddress)
    metricsServers.push(metricsServer)
    log.info({ event: 'metrics.listening', address: at, tls: secure }, `metrics on ${secure ? 'https' : 'http'}://${at}/metrics`)
  }

  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ event: 'server.stopping', signal }, 'draining in-flight requests')
      // Scrapes are short: the metrics listeners stop with the main one.
      for (const m of metricsServers) {
        m.close()
        m.closeIdleConnections()
      }
      const force = setTimeout(() => app.server.closeAllConnections(), DRAIN_TIMEOUT_MS)
      force.unref()
      // Like Go's Shutdown: a keep-alive connection is closed as soon as its in-flight request is done, instead of
      // waiting for the client (or the keep-alive timeout) to close it.
      const idle = setInterval(() => app.server.closeIdleConnections(), 250)
      idle.unref()
      app.server.close(() => {
        clearTimeout(force)
        clearInterval(idle)
        for (const m of metricsServers) m.closeAllConnections()
        void app.close().finally(() => {
          log.info({ event: 'server.stopped' }, 'stopped')
          log.flush()
          resolve(0)
        })
      })
      app.server.closeIdleConnections()
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}

main().then(
  (code) => {
    process.exitCode = code
    if (code !== 0) process.exit(code)
  },
  (err: unknown) => {
    process.stderr.write(`gatehouse: fatal: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
