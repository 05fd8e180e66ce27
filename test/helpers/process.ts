// Starts the compiled proxy (`node dist/main.js`) as a child process for black-box tests: picks a
// free port, waits for the ping endpoint, collects the output, and stops it (SIGTERM, then SIGKILL).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'

/** The repository root (two levels above test/helpers). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** How to start the proxy. */
export interface GatehouseOptions {
  args: string[]
  /** Added to the environment; inherited OAUTH2_PROXY_* variables are never passed on. */
  env?: Record<string, string>
  cwd?: string
  /** Entry script (default `<repo>/dist/main.js`). */
  entry?: string
  /** An executable to run instead of `node <entry>` (an installed `gatehouse`), found on `env.PATH` when not a path. */
  command?: string
  /**
   * Where the proxy is reached (`http(s)://host:port`) when no flag says it: an alpha file's listener. Default: the
   * `--http-address` / `--https-address` flag, else a free port added as `--http-address`.
   */
  url?: string
  /** How long to wait for the ping endpoint (default 10 s). */
  readyTimeoutMs?: number
  /** How long `stop` waits after its signal before SIGKILL (default 5 s). */
  stopTimeoutMs?: number
}

/** A running proxy process. */
export interface Gatehouse {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  proc: ChildProcess
  /** stdout and stderr so far, interleaved as received. */
  logs(): string
  /** Resolves with the logs once `pattern` appears in them; rejects after `timeoutMs` (default 5 s). */
  waitForLog(pattern: RegExp | string, timeoutMs?: number): Promise<string>
  /** Sends `signal` (default SIGTERM), SIGKILL after `stopTimeoutMs`, and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** The outcome of a one-shot run. */
export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  logs: string
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** The lowest port of the kernel's ephemeral range (ports for listen(0) and outgoing connections come from there). */
const EPHEMERAL_LOW = ((): number => {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(low) && low >= 13_024 ? low : 32_768
  } catch {
    return 32_768
  }
})()

/** Ports this test process has handed out already, so two calls never return the same one. */
const handedOut = new Set<number>()

/**
 * A TCP port that was free a moment ago on 127.0.0.1, for a server a test starts later. It is taken from below
 * the kernel's ephemeral range (32768 and up by default), where servers listening on port 0 get theirs: a port chosen here and not
 * yet bound can then not be given meanwhile to the echo app, the IdP or a client connection.
 */
export async function freePort(): Promise<number> {
  const top = EPHEMERAL_LOW
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = top - 12_000 + Math.floor(Math.random() * 12_000)
    if (handedOut.has(port)) continue
    if (await canBind(port)) {
      handedOut.add(port)
      return port
    }
  }
  throw new Error(`freePort: no free port found below ${top} after 200 tries`)
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** Spawns the proxy and resolves once `GET <ping path>` answers 200; rejects with the logs otherwise. */
export async function startGatehouse(opts: GatehouseOptions): Promise<Gatehouse> {
  const args = [...opts.args]
  // With a certificate only the HTTPS listener runs (as in oauth2-proxy): the proxy is then reached there.
  const tls = opts.url === undefined ? flagValue(args, 'tls-cert-file') !== undefined : opts.url.startsWith('https:')
  let address = opts.url ?? (tls ? flagValue(args, 'https-address') : (flagValue(args, 'http-address') ?? opts.env?.OAUTH2_PROXY_HTTP_ADDRESS))
  if (address === undefined) {
    address = `127.0.0.1:${await freePort()}`
    args.push(`--${tls ? 'https' : 'http'}-address=${address}`)
  }
  const { host, port } = parseAddress(address)
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`
  const pingPath = flagValue(args, 'ping-path') ?? opts.env?.OAUTH2_PROXY_PING_PATH ?? '/ping'
  const { proc, logs, exited } = spawnProxy(opts, args)

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode
    proc.kill(signal)
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.stopTimeoutMs ?? 5000)
    const { code } = await exited
    clearTimeout(timer)
    return code
  }

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 10_000)
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      const { code, signal } = await exited
      throw new Error(`gatehouse exited before it was ready (code ${code}, signal ${signal}):\n${logs()}`)
    }
    if (await answersPing(`${url}${pingPath}`)) break
    if (Date.now() > deadline) {
      await stop('SIGKILL')
      throw new Error(`gatehouse did not answer ${pingPath} on ${url} within ${opts.readyTimeoutMs ?? 10_000} ms:\n${logs()}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }

  const waitForLog = async (pattern: RegExp | string, timeoutMs = 5000): Promise<string> => {
    const found = (): boolean => (typeof pattern === 'string' ? logs().includes(pattern) : pattern.test(logs()))
    const until = Date.now() + timeoutMs
    while (!found()) {
      if (Date.now() > until) throw new Error(`log ${String(pattern)} did not appear within ${timeoutMs} ms:\n${logs()}`)
      await new Promise((r) => setTimeout(r, 25))
    }
    return logs()
  }

  return { url, port, proc, logs, waitForLog, stop }
}

/** Runs the proxy to completion (e.g. `--version` or a bad configuration) and returns its exit and output. */
export async function runGatehouse(opts: GatehouseOptions & { timeoutMs?: number }): Promise<RunResult> {
  const { proc, logs, exited } = spawnProxy(opts, opts.args)
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 10_000)
  const { code, signal } = await exited
  clearTimeout(timer)
  return { code, signal, logs: logs() }
}

function spawnProxy(
  opts: GatehouseOptions,
  args: string[],
): { proc: ChildProcess; logs: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('OAUTH2_PROXY_') && !k.startsWith('NODE_TEST')) env[k] = v
  }
  Object.assign(env, opts.env)
  const entry = opts.entry ?? fileURLToPath(new URL('../../dist/main.js', import.meta.url))
  const [file, argv] = opts.command === undefined ? [process.execPath, [entry, ...args]] : [opts.command, args]
  const proc = spawn(file, argv, { cwd: opts.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(proc)
  let output = ''
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d))
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('close', (code, signal) => {
      live.delete(proc)
      resolve({ code, signal })
    })
    proc.once('error', (err) => {
      output += `\n[spawn error] ${err.message}\n`
    })
  })
  return { proc, logs: () => output, exited }
}

let insecureAgent: Agent | undefined
/** The ping of a proxy serving a test certificate: readiness only, so the certificate is not checked. */
function selfSignedAgent(): Agent {
  insecureAgent ??= new Agent({ connect: { rejectUnauthorized: false } })
  return insecureAgent
}

async function answersPing(url: string): Promise<boolean> {
  try {
    const res = await request(url, { headersTimeout: 1000, bodyTimeout: 1000, ...(url.startsWith('https:') ? { dispatcher: selfSignedAgent() } : {}) })
    await res.body.dump()
    return res.statusCode === 200
  } catch {
    return false
  }
}

/** The value of `--name=value` or `--name value` (the last one wins, as with pflag). */
function flagValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? ''
    if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3)
    else if (arg === `--${name}` && i + 1 < args.length) value = args[i + 1]
  }
  return value
}

/** Host and port of an oauth2-proxy address: `host:port`, `:port` or `http://host:port`. */
function parseAddress(address: string): { host: string; port: number } {
  const bare = address.replace(/^[a-z]+:\/\//i, '')
  const colon = bare.lastIndexOf(':')
  const rawHost = colon === -1 ? '' : bare.slice(0, colon)
  const port = Number(bare.slice(colon + 1))
  const host = rawHost === '' || rawHost === '0.0.0.0' ? '127.0.0.1' : rawHost === '[::]' ? '[::1]' : rawHost
  if (!Number.isInteger(port) || port <= 0) throw new Error(`cannot find a port in http address ${address}`)
  return { host, port }
}
