import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { pino, type DestinationStream } from 'pino'

/** Creates missing directories one level at a time (Node's recursive mkdir can spin forever under /proc). */
function makeDirs(dir: string): void {
  if (existsSync(dir)) return
  const parent = dirname(dir)
  if (parent !== dir) makeDirs(parent)
  mkdirSync(dir)
}

/**
 * The ordinary log output: stdout, or `--logging-filename`, checked writable at start (as oauth2-proxy does), appended
 * to, and reopened on SIGHUP so an external rotator (logrotate) can move it.
 */
export function createLogOutput(filename: string): { out: DestinationStream } {
  if (filename === '') return { out: pino.destination({ fd: 1, sync: false }) }
  try {
    makeDirs(dirname(filename))
    closeSync(openSync(filename, 'a', 0o600))
  } catch (err) {
    throw new Error(`cannot write the log file --logging-filename=${filename}: ${(err as Error).message}`)
  }
  const out = pino.destination({ dest: filename, append: true, sync: false })
  process.on('SIGHUP', () => out.reopen())
  return { out }
}
