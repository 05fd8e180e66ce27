import type { LoadResult } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { ConfigError, formatIssue, type ConfigIssue } from '../errors.js'
import { describe } from '../http/server.js'
import type { Logger } from '../log/logger.js'
import type { Metrics, ReloadOutcome } from '../metrics/registry.js'
import { restartOnlyProblems } from './restart-only.js'
import type { Runtime } from './runtime.js'

/** What a reload swaps a runtime into: the app (app.ts), seen only through these two members. */
export interface RuntimeHost {
  readonly runtime: Runtime
  /** Compiles and swaps in; throws without changing anything when the configuration does not compile. */
  install(config: Config): void
}

/** How one reload ended: `problems` are the same lines a start with this configuration would print. */
export interface ReloadResult {
  outcome: ReloadOutcome
  problems: string[]
  /** The files the configuration in force reads, after this reload (unchanged unless it was swapped in). */
  files: readonly string[]
}

export interface Reloader {
  /** Loads every source again, checks, compiles and swaps; `trigger` says why, for the log line. */
  reload(trigger: string): ReloadResult
}

export interface ReloaderDeps {
  host: RuntimeHost
  /** Reads the configuration again from the process's flags, environment and cfg file. */
  load: () => LoadResult
  /** The files the configuration the process started with reads. */
  files: readonly string[]
  log: Logger
  metrics: Pick<Metrics, 'configReload'>
}

type Attempt = { outcome: 'ok'; files: readonly string[]; warnings: string[] } | { outcome: 'refused' | 'failed'; issues: ConfigIssue[]; error: string }

function refusedBy(issues: readonly ConfigIssue[]): Attempt {
  return { outcome: 'refused', issues: [...issues], error: new ConfigError(issues).message }
}

function failedBy(err: unknown): Attempt {
  return { outcome: 'failed', issues: [{ option: 'configuration', message: describe(err) }], error: describe(err) }
}

/**
 * Creates the reloader: a new configuration is swapped in only when it loads, changes no restart-only option and
 * compiles; otherwise it is refused with every problem at once and the runtime in force keeps serving. Each reload
 * logs one `config.reload` line and counts in `gatehouse_config_reloads_total{outcome}`. Reloads run synchronously
 * from load to swap, so two of them never interleave.
 */
export function createReloader(deps: ReloaderDeps): Reloader {
  const { host, log } = deps
  let files = deps.files

  function attempt(): Attempt {
    let loaded: LoadResult
    try {
      loaded = deps.load()
    } catch (err) {
      return err instanceof ConfigError ? refusedBy(err.issues) : failedBy(err)
    }
    if (loaded.kind !== 'config') return failedBy(new Error(`the command line asks for ${loaded.kind}, not a configuration`))
    const restart = restartOnlyProblems(host.runtime.config, loaded.config)
    if (restart.length > 0) return refusedBy(restart)
    try {
      host.install(loaded.config)
    } catch (err) {
      return err instanceof ConfigError ? refusedBy(err.issues) : failedBy(err)
    }
    return { outcome: 'ok', files: loaded.files, warnings: loaded.warnings }
  }

  return {
    reload(trigger) {
      const result = attempt()
      deps.metrics.configReload(result.outcome)
      if (result.outcome === 'ok') {
        files = result.files
        for (const warning of result.warnings) log.warn({ event: 'config.warning' }, warning)
        log.info({ event: 'config.reload', outcome: 'ok', trigger, files }, `configuration reloaded (${trigger})`)
        return { outcome: 'ok', problems: [], files }
      }
      const problems = result.issues.map((issue) => formatIssue(issue).trim())
      const fields = { event: 'config.reload', outcome: result.outcome, trigger, problems }
      const message = `configuration ${result.outcome === 'refused' ? 'refused' : 'reload failed'} (${trigger}); the running configuration keeps serving:\n${result.error}`
      if (result.outcome === 'refused') log.warn(fields, message)
      else log.error(fields, message)
      return { outcome: result.outcome, problems, files }
    },
  }
}
