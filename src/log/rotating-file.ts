import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { backupName, millOnce } from './rotation-mill.js'

/** lumberjack's Logger options, as oauth2-proxy passes them from `--logging-*`. */
export interface RotationOptions {
  filename: string
  /** Megabytes at which the file is rotated; 0 means lumberjack's default, 100. */
  maxSizeMb: number
  maxAgeDays: number
  maxBackups: number
  /** Backup names in local time instead of UTC. */
  localTime: boolean
  compress: boolean
}

const MB = 1024 * 1024

/** Creates missing directories one level at a time (Node's recursive mkdir can spin forever under /proc). */
export function makeDirs(dir: string): void {
  if (existsSync(dir)) return
  const parent = dirname(dir)
  if (parent !== dir) makeDirs(parent)
  mkdirSync(dir)
}

/**
 * A log file rotated as lumberjack rotates it (oauth2-proxy's `--logging-filename`): a line that would take the file
 * past the maximum size first moves it to `name-<time>.ext` and starts a new one; then old backups are removed by
 * count and age and the rest gzipped, in the background. Lines are buffered and written together once per turn of the
 * event loop, so logging never waits for the disk within a request.
 */
export function createRotatingFile(options: RotationOptions, deps: { now?: () => number; onProblem?: (message: string) => void } = {}) {
  const now = deps.now ?? Date.now
  const maxBytes = (options.maxSizeMb === 0 ? 100 : options.maxSizeMb) * MB
  const reported = new Set<string>()
  let fd: number | undefined
  let size = 0
  let pending: Buffer[] = []
  let scheduled = false
  let milling: Promise<void> = Promise.resolve()

  function report(message: string): void {
    if (reported.has(message)) return
    reported.add(message)
    if (deps.onProblem !== undefined) deps.onProblem(message)
    else process.stderr.write(`gatehouse: log file ${options.filename}: ${message}\n`)
  }

  function mill(): void {
    if (options.maxBackups === 0 && options.maxAgeDays === 0 && !options.compress) return
    const run = { filename: options.filename, maxBackups: options.maxBackups, maxAgeDays: options.maxAgeDays, compress: options.compress, now }
    milling = milling.then(() => millOnce(run)).then(
      (problems) => problems.forEach(report),
      (err: unknown) => report(`cleaning up backups failed: ${(err as Error).message}`),
    )
  }

  function openNew(): void {
    makeDirs(dirname(options.filename))
    let mode = 0o600
    if (existsSync(options.filename)) {
      mode = statSync(options.filename).mode & 0o777
      renameSync(options.filename, backupName(options.filename, new Date(now()), options.localTime))
    }
    fd = openSync(options.filename, 'w', mode)
    size = 0
  }

  function openExistingOrNew(writeLength: number): void {
    mill()
    let current: number
    try {
      current = statSync(options.filename).size
    } catch {
      openNew()
      return
    }
    if (current + writeLength >= maxBytes) {
      rotate()
      return
    }
    fd = openSync(options.filename, 'a')
    size = current
  }

  function close(): void {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
  }

  function rotate(): void {
    close()
    openNew()
    mill()
  }

  function flushSync(): void {
    const lines = pending
    pending = []
    scheduled = false
    let batch: Buffer[] = []
    let batchBytes = 0
    const drain = (): void => {
      if (batch.length === 0 || fd === undefined) return
      writeSync(fd, batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, batchBytes))
      size += batchBytes
      batch = []
      batchBytes = 0
    }
    try {
      for (const line of lines) {
        if (line.length > maxBytes) {
          report(`a log line of ${line.length} bytes is longer than --logging-max-size; such lines are dropped`)
          continue
        }
        if (fd === undefined) {
          openExistingOrNew(line.length)
        } else if (size + batchBytes + line.length > maxBytes) {
          drain()
          rotate()
        }
        batch.push(line)
        batchBytes += line.length
      }
      drain()
    } catch (err) {
      report(`cannot write: ${(err as Error).message}`)
      close()
    }
  }

  return {
    /** pino's destination interface: one or more whole lines. */
    write(chunk: string | Buffer): boolean {
      pending.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)
      if (!scheduled) {
        scheduled = true
        setImmediate(flushSync)
      }
      return true
    },
    flushSync,
    /** pino's `logger.flush(cb)`. */
    flush(cb?: (err?: Error) => void): void {
      flushSync()
      cb?.()
    },
    /** Closes the file; the next line opens it again by name (SIGHUP, after an external rotator moved it). */
    reopen(): void {
      flushSync()
      close()
    },
    /** Resolves once backups removed or compressed so far are done (for tests and shutdown). */
    settled(): Promise<void> {
      return milling
    },
    end(): void {
      flushSync()
      close()
    },
  }
}

export type RotatingFile = ReturnType<typeof createRotatingFile>
