import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { Config } from '../config/schema.js'
import { listen, parseListenAddress } from '../http/listen.js'
import type { Logger } from '../log/logger.js'
import type { Metrics } from './registry.js'
import { createMetricsServer } from './server.js'

/** Opens `--metrics-address` and `--metrics-secure-address` (those set) serving `scrape`; resolves with the servers. */
export async function startMetricsListeners(config: Config, metrics: Pick<Metrics, 'scrape'>, log: Logger): Promise<Server[]> {
  const servers: Server[] = []
  for (const [value, secure] of [[config.metricsAddress, false], [config.metricsSecureAddress, true]] as const) {
    const address = parseListenAddress(value)
    if (address === undefined) continue
    const tls = secure ? { cert: readFileSync(config.metricsTlsCertFile), key: readFileSync(config.metricsTlsKeyFile) } : undefined
    const server = createMetricsServer(metrics, tls)
    const at = await listen(server, address)
    servers.push(server)
    log.info({ event: 'metrics.listening', address: at, tls: secure }, `metrics on ${secure ? 'https' : 'http'}://${at}/metrics`)
  }
  return servers
}

/** Stops the metrics listeners: scrapes are short, so they stop with the main listener. */
export function closeMetricsListeners(servers: readonly Server[]): void {
  for (const m of servers) {
    m.close()
    m.closeIdleConnections()
  }
}
