import type { Logger } from '../log/logger.js'
import { listen, parseListenAddress } from './listen.js'
import type { ProxyServer } from './server.js'

/** A main listener to open: its address as configured, whether it speaks TLS, and its server. */
export interface MainListener {
  readonly address: string
  readonly tls: boolean
  readonly server: ProxyServer
}

/** How often a draining server closes the keep-alive connections whose last request is done. */
const IDLE_SWEEP_MS = 250

/**
 * Opens every main listener in turn and logs `server.listening` for each (with `fields` added). A stale unix
 * socket file is removed first unless `removeStale` is false (`--workers` processes share the primary's sockets).
 * Rejects on the first address that cannot be opened.
 */
export async function listenAll(listeners: readonly MainListener[], log: Logger, options: { removeStale: boolean; fields: Readonly<Record<string, unknown>> }): Promise<void> {
  for (const { address, tls, server } of listeners) {
    const parsed = parseListenAddress(address)
    if (parsed === undefined) continue
    const where = await listen(server, parsed, options.removeStale)
    log.info({ event: 'server.listening', address: where, tls, ...options.fields }, `gatehouse listening on ${tls ? 'https' : 'http'}://${where}`)
  }
}

/**
 * Stops every server from accepting and resolves once each has closed, like Go's Shutdown on each listener: a
 * keep-alive connection is closed as soon as its in-flight request is done instead of waiting for the client, and
 * whatever is still open after `cutAfterMs` is cut.
 */
export function drainServers(servers: readonly ProxyServer[], cutAfterMs: number): Promise<void> {
  const force = setTimeout(() => {
    for (const server of servers) server.closeAllConnections()
  }, cutAfterMs)
  force.unref()
  const idle = setInterval(() => {
    for (const server of servers) server.closeIdleConnections()
  }, IDLE_SWEEP_MS)
  idle.unref()
  const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))
  for (const server of servers) server.closeIdleConnections()
  return Promise.all(closed).then(() => {
    clearTimeout(force)
    clearInterval(idle)
  })
}
