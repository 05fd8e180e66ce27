import cluster, { type Worker } from 'node:cluster'
import { rmSync } from 'node:fs'
import { listenersOf } from '../config/listeners.js'
import type { Config } from '../config/schema.js'
import { parseListenAddress } from '../http/listen.js'
import type { Logger } from '../log/logger.js'
import { closeMetricsListeners, startMetricsListeners } from '../metrics/listeners.js'
import { createClusterScrape } from '../metrics/registry.js'
import { startRevocationHub } from './revocation-hub.js'

/** A worker that crashes more often than this within RESTART_WINDOW_MS ends the whole process (exit 1). */
const MAX_RESTARTS = 5
const RESTART_WINDOW_MS = 60_000
/** Pause before a replacement is forked, so a worker that dies at once cannot spin the CPU. */
const RESTART_DELAY_MS = 200

export interface PrimaryOptions {
  workers: number
  /** How long workers may drain after SIGTERM before they are killed (their own bound, plus a margin). */
  drainTimeoutMs: number
}

/**
 * `--workers N`: forks N copies of this process (same argv and environment) that share the listen addresses through
 * node:cluster, replaces a crashed one (bounded), passes SIGTERM/SIGINT on for a graceful drain and SIGHUP for a log
 * reopen and a configuration reload, serves the metrics listeners with every worker's registry summed, and keeps the
 * revocation list of cookie sessions without Redis for every worker. Resolves with the exit code.
 */
export async function runPrimary(config: Config, log: Logger, options: PrimaryOptions): Promise<number> {
  // Every address a worker opens: the main listeners, and the admin listener when one is set.
  const addresses = [...listenersOf(config).map((l) => l.address), config.adminAddress].map(parseListenAddress).filter((a) => a !== undefined)
  // Workers share the sockets: a stale file is removed once, here, and never by a worker.
  for (const shared of addresses) if (shared.kind === 'unix') rmSync(shared.path, { force: true })
  // Cookie sessions without Redis: the revocation list every worker shares lives here.
  const stopRevocationHub = startRevocationHub()

  // Opened before any worker starts, so a taken metrics port fails the start as in a single process.
  const metricsServers = await startMetricsListeners(config, createClusterScrape(), log)
  // A worker serves once it listens on every main listener (the primary hears of each address it opens).
  const opened = new Map<number, number>()
  const listening = new Set<number>()
  const restarts: number[] = []
  let stopping = false
  let exitCode = 0
  let finish: (code: number) => void = () => {}
  const finished = new Promise<number>((resolve) => {
    finish = (code) => {
      stopRevocationHub()
      log.info({ event: 'server.stopped' }, 'every worker has stopped')
      log.flush()
      resolve(code)
    }
  })

  const fork = (): Worker => {
    const worker = cluster.fork()
    log.info({ event: 'cluster.worker.started', workerPid: worker.process.pid }, `worker ${worker.process.pid} started`)
    return worker
  }

  const stop = (signal: string, code: number): void => {
    if (stopping) return
    stopping = true
    exitCode = code
    log.info({ event: 'server.stopping', signal }, 'draining the workers')
    closeMetricsListeners(metricsServers)
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
    for (const w of workers) w.process.kill('SIGTERM')
    const force = setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL')
    }, options.drainTimeoutMs)
    force.unref()
    if (workers.length === 0) finish(exitCode)
  }

  cluster.on('listening', (worker) => {
    // A worker serves once it listens on every address (the primary hears of each one it opens), so a taken admin
    // port fails the start instead of looking like a crash after the main listener was up.
    const count = (opened.get(worker.id) ?? 0) + 1
    opened.set(worker.id, count)
    if (count !== addresses.length) return
    listening.add(worker.id)
    log.info({ event: 'cluster.worker.listening', workerPid: worker.process.pid }, `worker ${worker.process.pid} listening`)
  })

  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker.id)
    opened.delete(worker.id)
    const left = Object.keys(cluster.workers ?? {}).length
    if (stopping) {
      if (left === 0) finish(exitCode)
      return
    }
    const how = signal === null ? `code ${code}` : `signal ${signal}`
    if (!wasListening) {
      // It never served: a start-up failure (the port is taken, a file cannot be read) that a restart will not fix.
      log.error({ event: 'cluster.worker.failed', workerPid: worker.process.pid, status: how }, `worker ${worker.process.pid} exited (${how}) before it listened; stopping`)
      stop('worker start-up failure', typeof code === 'number' && code !== 0 ? code : 1)
      return
    }
    const now = Date.now()
    while (restarts.length > 0 && (restarts[0] ?? 0) < now - RESTART_WINDOW_MS) restarts.shift()
    if (restarts.length >= MAX_RESTARTS) {
      log.error({ event: 'cluster.worker.failed', workerPid: worker.process.pid, status: how }, `worker exited (${how}) after ${MAX_RESTARTS} restarts within ${RESTART_WINDOW_MS / 1000} s; stopping`)
      stop('too many worker restarts', 1)
      return
    }
    restarts.push(now)
    log.warn({ event: 'cluster.worker.exited', workerPid: worker.process.pid, status: how }, `worker ${worker.process.pid} exited (${how}); starting a replacement`)
    setTimeout(() => {
      if (!stopping) fork()
    }, RESTART_DELAY_MS).unref()
  })

  process.on('SIGTERM', () => stop('SIGTERM', 0))
  process.on('SIGINT', () => stop('SIGINT', 0))
  process.on('SIGHUP', () => {
    // Every worker reopens --logging-filename and reloads its configuration. A worker still starting has no SIGHUP
    // listener yet (the signal would end it), and reads the files afresh anyway: only listening workers get it.
    if (stopping) return
    for (const w of Object.values(cluster.workers ?? {})) if (w !== undefined && listening.has(w.id)) w.process.kill('SIGHUP')
    log.info({ event: 'config.reload.forwarded', workers: listening.size }, `SIGHUP passed on to ${listening.size} workers`)
  })

  log.info({ event: 'cluster.starting', workers: options.workers }, `starting ${options.workers} workers`)
  for (let i = 0; i < options.workers; i++) fork()
  return finished
}
