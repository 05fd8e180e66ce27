import { closeSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { createBatchedFd } from './batched-fd.js'
import type { LogOutputs } from './logger.js'
import { createRotatingFile, makeDirs, type RotationOptions } from './rotating-file.js'

/** oauth2-proxy's defaults for the rotation options. */
const LUMBERJACK_DEFAULTS: Omit<RotationOptions, 'filename'> = { maxSizeMb: 100, maxAgeDays: 7, maxBackups: 0, localTime: true, compress: false }

/** Writes what `flushSync` holds when the process ends, however it ends short of a fatal signal (process.exit included). */
function flushAtExit(stream: { flushSync(): void }): void {
  process.on('exit', () => stream.flushSync())
}

/**
 * The log outputs: error-level lines to stderr, the others to stdout or `--logging-filename`, checked writable at start
 * (as oauth2-proxy does), rotated by size with lumberjack's rules (`--logging-max-size`, `-max-age`, `-max-backups`,
 * `-compress`, `--logging-local-time`), and reopened on SIGHUP so an external rotator (logrotate) can move it too.
 * Every output gathers the lines of one turn of the event loop into one write, and writes whatever it still holds
 * when the process exits.
 */
export function createLogOutput(filename: string, rotation: Omit<RotationOptions, 'filename'> = LUMBERJACK_DEFAULTS): LogOutputs {
  const err = createBatchedFd(2)
  flushAtExit(err)
  if (filename === '') {
    const out = createBatchedFd(1)
    flushAtExit(out)
    return { out, err }
  }
  try {
    makeDirs(dirname(filename))
    closeSync(openSync(filename, 'a', 0o600))
  } catch (e) {
    throw new Error(`cannot write the log file --logging-filename=${filename}: ${(e as Error).message}`)
  }
  const out = createRotatingFile({ filename, ...rotation })
  process.on('SIGHUP', () => out.reopen())
  flushAtExit(out)
  return { out, err }
}
