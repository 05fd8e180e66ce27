// Reload tests: a stack whose settings come from a cfg file the test rewrites, and a SIGHUP that waits for the
// proxy's `config.reload` log line(s) of that reload.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Gatehouse } from './process.js'
import { startStack, type Stack, type StackOptions } from './stack.js'

export type CfgValue = string | number | boolean | readonly string[]
export type Cfg = Record<string, CfgValue>

/** One `config.reload` line of the proxy's JSON log. */
export interface ReloadLine {
  event: 'config.reload'
  outcome: 'ok' | 'refused' | 'failed'
  trigger: string
  problems?: string[]
  pid?: number
  msg: string
}

/** Renders flat TOML (strings, numbers, booleans and string arrays only). */
export function toToml(cfg: Cfg): string {
  const value = (v: CfgValue): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map((s) => JSON.stringify(s)).join(', ')}]` : String(v))
  return Object.entries(cfg).map(([k, v]) => `${k} = ${value(v)}`).join('\n') + '\n'
}

export interface CfgStack {
  stack: Stack
  dir: string
  cfgPath: string
  /** The cfg the stack started with (provider, secrets, upstream). */
  base: Cfg
  /** Replaces the cfg file with `base` plus `extra` (an `extra` key set to undefined is left out). */
  write(extra?: Record<string, CfgValue | undefined>): void
  close(): Promise<void>
}

/**
 * Starts the usual stack, but with every setting in a cfg file (flags would override the file, and a reload reads
 * only the file again). `flags` stay on the command line: the ones a test never reloads (--workers, --watch-config).
 */
export async function startCfgStack(options: { cfg?: Cfg; flags?: string[]; env?: StackOptions['env'] } = {}): Promise<CfgStack> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-reload-'))
  const cfgPath = join(dir, 'gatehouse.cfg')
  let base: Cfg = {}
  const write = (extra: Record<string, CfgValue | undefined> = {}): void => {
    const merged: Cfg = { ...base }
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete merged[k]
      else merged[k] = v
    }
    writeFileSync(cfgPath, toToml(merged))
  }
  const flag = (defaults: string[], name: string): string => (defaults.find((d) => d.startsWith(`--${name}=`)) ?? '').slice(name.length + 3)
  let stack: Stack
  try {
    stack = await startStack({
      ...(options.env === undefined ? {} : { env: options.env }),
      replaceArgs: (defaults) => {
        base = {
          provider: 'oidc',
          oidc_issuer_url: flag(defaults, 'oidc-issuer-url'),
          client_id: 'gatehouse',
          client_secret: 'gatehouse-secret',
          cookie_secret: flag(defaults, 'cookie-secret'),
          cookie_secure: false,
          email_domains: ['*'],
          upstreams: [flag(defaults, 'upstream')],
          redirect_url: '/oauth2/callback',
          ...options.cfg,
        }
        write()
        return [`--config=${cfgPath}`, ...(options.flags ?? [])]
      },
    })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    stack,
    dir,
    cfgPath,
    get base() {
      return base
    },
    write,
    async close() {
      await stack.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The `config.reload` lines logged so far. */
export function reloadLines(proxy: Gatehouse): ReloadLine[] {
  return proxy
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"config.reload"'))
    .map((l) => JSON.parse(l) as ReloadLine)
    .filter((l) => l.event === 'config.reload')
}

/** Waits (bounded) until `count` more `config.reload` lines than `before` were logged, and returns the new ones. */
export async function waitForReloads(proxy: Gatehouse, before: number, count = 1, timeoutMs = 10_000): Promise<ReloadLine[]> {
  const until = Date.now() + timeoutMs
  while (reloadLines(proxy).length < before + count) {
    if (Date.now() > until) throw new Error(`no config.reload line within ${timeoutMs} ms:\n${proxy.logs()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return reloadLines(proxy).slice(before)
}

/** Sends SIGHUP and resolves with the `config.reload` line(s) it caused (one per worker with --workers). */
export async function sighup(proxy: Gatehouse, expected = 1): Promise<ReloadLine[]> {
  const before = reloadLines(proxy).length
  proxy.proc.kill('SIGHUP')
  return waitForReloads(proxy, before, expected)
}
