import { closeSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { pino, type DestinationStream } from 'pino'
import { createRotatingFile, makeDirs, type RotationOptions } from './rotating-file.js'

/** oauth2-proxy's defaults for the rotation options. */
const LUMBERJACK_DEFAULTS: Omit<RotationOptions, 'filename'> = { maxSizeMb: 100, maxAgeDays: 7, maxBackups: 0, localTime: true, compress: false }

/**
 * The ordinary log output: stdout, or `--logging-filename`, checked writable at start (as oauth2-proxy does), rotated
 * by size with lumberjack's rules (`--logging-max-size`, `-max-age`, `-max-backups`, `-compress`, `--logging-local-time`),
 * and reopened on SIGHUP so an external rotator (logrotate) can move it too.
 */
export function createLogOutput(filename: string, rotation: Omit<RotationOptions, 'filename'> = LUMBERJACK_DEFAULTS): { out: DestinationStream } {
  if (filename === '') return { out: pino.destination({ fd: 1, sync: false }) }
  try {
    makeDirs(dirname(filename))
    closeSync(openSync(filename, 'a', 0o600))
  } catch (err) {
    throw new Error(`cannot write the log file --logging-filename=${filename}: ${(err as Error).message}`)
  }
  const out = createRotatingFile({ filename, ...rotation })
  process.on('SIGHUP', () => out.reopen())
  // Lines still buffered when the process ends are written before it goes.
  process.on('exit', () => out.flushSync())
  return { out }
}
