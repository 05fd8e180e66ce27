// Runs the real Debian caddy for integration tests: a generated global block (admin API off, no automatic
// HTTPS, storage in a temp dir) followed by the site blocks a test gives, on 127.0.0.1 ports chosen at run
// time, stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'

/** A running caddy. */
export interface Caddy {
  dir: string
  pid: number
  /** stdout and stderr so far (caddy logs JSON lines there). */
  logs(): string
  stop(): Promise<void>
}

/** How to start caddy. */
export interface CaddyOptions {
  /** Site blocks (`http://127.0.0.1:PORT { ... }`); must not contain a global options block. */
  sites: string
  /** Ports that must answer before start resolves (any HTTP status counts). */
  ports: number[]
  binary?: string
  readyTimeoutMs?: number
  /** Extra environment (e.g. GOMAXPROCS for the bench). */
  env?: Record<string, string>
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** Starts `caddy run` with the generated Caddyfile and resolves once every port in `ports` answers. */
export async function startCaddy(options: CaddyOptions): Promise<Caddy> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-caddy-'))
  const file = join(dir, 'Caddyfile')
  await writeFile(file, `{\n\tadmin off\n\tauto_https off\n\tstorage file_system ${join(dir, 'data')}\n}\n\n${options.sites}\n`)
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
  Object.assign(env, { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') }, options.env)
  const proc = spawn(options.binary ?? (process.env.CADDY_BIN ?? 'caddy'), ['run', '--config', file, '--adapter', 'caddyfile'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.add(proc)
  let output = ''
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d))
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d))
  const exited = new Promise<void>((resolve) => {
    proc.once('close', () => {
      live.delete(proc)
      resolve()
    })
    proc.once('error', (err) => (output += `[spawn error] ${err.message}`))
  })
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
      process.kill(proc.pid, 'SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000)
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) {
      const log = output
      await stop()
      throw new Error(`caddy exited before it was ready:\n${log}`)
    }
    const answers = await Promise.all(options.ports.map(answersOn))
    if (answers.every(Boolean)) break
    if (Date.now() > deadline) {
      const log = output
      await stop()
      throw new Error(`caddy did not answer on ${options.ports.join(', ')}:\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { dir, pid: proc.pid, logs: () => output, stop }
}

async function answersOn(port: number): Promise<boolean> {
  try {
    const res = await request(`http://127.0.0.1:${port}/`, { headersTimeout: 1000, bodyTimeout: 1000 })
    await res.body.dump()
    return true
  } catch {
    return false
  }
}
