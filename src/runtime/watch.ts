import { statSync, watch, type FSWatcher } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import type { Logger } from '../log/logger.js'

/** Quiet time after the last change before `onChange` runs: an editor's save or a ConfigMap swap is several events. */
export const WATCH_DEBOUNCE_MS = 300

/**
 * Watches files and directories for `--watch-config`. A file is watched through its directory, so a file replaced by
 * a rename (editors, `kubectl` ConfigMap `..data` swaps) is still seen; a directory (`--custom-templates-dir`) is
 * watched itself. Events are debounced into one `onChange`. The watchers never keep the process alive.
 */
export function watchFiles(paths: readonly string[], onChange: () => void, log: Logger, debounceMs = WATCH_DEBOUNCE_MS): { close(): void } {
  // Directory → the names in it that matter (undefined: every name, for a watched directory itself).
  const dirs = new Map<string, Set<string> | undefined>()
  for (const path of paths.map((p) => resolve(p))) {
    let isDir = false
    try {
      isDir = statSync(path).isDirectory()
    } catch {
      // Missing now: its directory is watched, so its creation is seen.
    }
    if (isDir) {
      dirs.set(path, undefined)
      continue
    }
    const dir = dirname(path)
    if (dirs.has(dir) && dirs.get(dir) === undefined) continue
    const names = dirs.get(dir) ?? new Set<string>()
    names.add(basename(path))
    dirs.set(dir, names)
  }

  let timer: NodeJS.Timeout | undefined
  const schedule = (): void => {
    clearTimeout(timer)
    timer = setTimeout(onChange, debounceMs)
    timer.unref()
  }
  const watchers: FSWatcher[] = []
  for (const [dir, names] of dirs) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        // Kubernetes swaps a `..data` symlink; a null name means the platform could not say which file changed.
        if (names === undefined || name === null || names.has(name) || name.startsWith('..')) schedule()
      })
      watcher.on('error', (err) => log.warn({ event: 'config.watch.failed', dir, error: err.message }, 'cannot watch a configuration directory any more'))
      watchers.push(watcher)
    } catch (err) {
      log.warn({ event: 'config.watch.failed', dir, error: (err as Error).message }, 'cannot watch a configuration directory; changes in it need a SIGHUP')
    }
  }
  return {
    close() {
      clearTimeout(timer)
      for (const w of watchers) w.close()
    },
  }
}
