import type { Logger } from '../log/logger.js'
import type { Reloader } from './reload.js'
import { watchFiles } from './watch.js'

/**
 * Reloads on SIGHUP (after the log file, if any, was reopened by its own SIGHUP listener) and, with
 * `--watch-config`, when a file the configuration reads changes. The watch list follows each reload that is swapped
 * in. `stop()` ends the watching; a SIGHUP that arrives while the process drains is ignored rather than fatal.
 */
export function startReloadTriggers(options: { reloader: Reloader; files: readonly string[]; watch: boolean; log: Logger }): { stop(): void } {
  const { reloader, log } = options
  let stopped = false
  let watched = ''
  let watcher: { close(): void } | undefined

  const arm = (files: readonly string[]): void => {
    const key = files.join('\n')
    if (!options.watch || key === watched) return
    watcher?.close()
    watched = key
    watcher = watchFiles(files, () => run('watch'), log)
  }
  const run = (trigger: string): void => {
    if (stopped) return
    const result = reloader.reload(trigger)
    if (result.outcome === 'ok') arm(result.files)
  }

  arm(options.files)
  const onHup = (): void => run('SIGHUP')
  process.on('SIGHUP', onHup)
  return {
    stop() {
      stopped = true
      watcher?.close()
    },
  }
}
