import { readFileSync, unwatchFile, watchFile } from 'node:fs'
import { ConfigError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import { createHtpasswdValidator, parseHtpasswd, type HtpasswdValidator } from './htpasswd.js'

/** How often the file's metadata is checked for a change (stat polling also follows files replaced by rename). */
const WATCH_INTERVAL_MS = 1_000

function read(path: string): ReturnType<typeof parseHtpasswd> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    return { ok: false, problems: [`cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`] }
  }
  return parseHtpasswd(text)
}

/**
 * `--htpasswd-file`: read at start (every bad line refused with its number), then re-read whenever it changes, as
 * oauth2-proxy watches it. A change that does not parse is logged and the users already loaded stay in force.
 */
export function loadHtpasswdFile(path: string, log: Logger): { validator: HtpasswdValidator; close(): void } {
  const first = read(path)
  if (!first.ok) throw new ConfigError(first.problems.map((message) => ({ option: '--htpasswd-file', value: path, message })))
  const validator = createHtpasswdValidator(first.users)
  const onChange = (current: { mtimeMs: number; size: number; ino: number }, previous: { mtimeMs: number; size: number; ino: number }): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return
    const next = read(path)
    if (!next.ok) {
      log.error({ event: 'htpasswd.reload.failed', file: path, problems: next.problems }, 'htpasswd file changed but cannot be used; keeping the users loaded before')
      return
    }
    validator.replace(next.users)
    log.info({ event: 'htpasswd.reloaded', file: path, users: next.users.size }, 'htpasswd file reloaded')
  }
  watchFile(path, { interval: WATCH_INTERVAL_MS, persistent: false }, onChange)
  return { validator, close: () => unwatchFile(path, onChange) }
}
