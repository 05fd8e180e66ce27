// Real Redis servers for tests: a standalone server, a Sentinel set (1 master, 1 replica, 3 sentinels) and a
// 3-master Cluster, each on 127.0.0.1 ports chosen at run time, in temp dirs, stopped (and killed on exit) after.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL')
})

/** Runs `redis-cli -p port args…` and returns its trimmed output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 })
  return stdout.trim()
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** A free port whose cluster bus port (+10000) is free too. */
export async function freeRedisPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 20000)
    if ((await isFree(port)) && (await isFree(port + 10000))) return port
  }
  throw new Error('no free port pair for Redis')
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface RedisServer {
  port: number
  url: string
  dir: string
  /** Stops the server (SIGTERM; it saves first when persistence is on). */
  stop(): Promise<void>
  /** Starts it again on the same port and directory. */
  start(): Promise<void>
}

function spawnServer(bin: string, args: string[]): ChildProcess {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  proc.stdout?.resume()
  proc.stderr?.resume()
  live.add(proc)
  proc.once('exit', () => live.delete(proc))
  return proc
}

async function stopProcess(proc: ChildProcess | undefined): Promise<void> {
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  proc.kill('SIGTERM')
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/**
 * Starts redis-server with `extra` arguments; `persist` turns on the append-only file so data survives a restart;
 * `cliArgs` are what redis-cli needs to reach it (TLS, a password, a socket) when it checks readiness.
 */
export async function startRedis(options: { persist?: boolean; extra?: string[]; port?: number; dir?: string; cliArgs?: string[] } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freeRedisPort())
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gatehouse-redis-'))
  let proc: ChildProcess | undefined
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.persist ? 'yes' : 'no', '--appendfsync', 'always', ...(options.extra ?? [])]
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async start() {
      proc = spawnServer('redis-server', args)
      await waitFor(`redis-server on ${port}`, async () => (await redisCli(port, ...(options.cliArgs ?? []), 'ping')) === 'PONG')
    },
    async stop() {
      await stopProcess(proc)
      proc = undefined
    },
  }
  await server.start()
  return server
}

export interface SentinelSet {
  masterName: string
  master: RedisServer
  replica: RedisServer
  sentinelPorts: number[]
  sentinelUrls: string[]
  /** The port Sentinel currently reports for the master. */
  masterPort(): Promise<number>
  /** SENTINEL FAILOVER, then waits until the replica is the master the sentinels report. */
  failover(): Promise<void>
  stop(): Promise<void>
}

/** One master, one replica and three sentinels watching them (quorum 2). */
export async function startSentinelSet(): Promise<SentinelSet> {
  const masterName = 'gatehouse-master'
  const master = await startRedis()
  const replica = await startRedis({ extra: ['--replicaof', '127.0.0.1', String(master.port)] })
  await waitFor('replica in sync', async () => /master_link_status:up/.test(await redisCli(replica.port, 'info', 'replication')))
  const sentinels: ChildProcess[] = []
  const sentinelPorts: number[] = []
  const dirs: string[] = []
  for (let i = 0; i < 3; i++) {
    const port = await freeRedisPort()
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sentinel-'))
    const conf = join(dir, 'sentinel.conf')
    writeFileSync(conf, [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 2`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 5000`,
      `sentinel parallel-syncs ${masterName} 1`,
      '',
    ].join('\n'))
    sentinels.push(spawnServer('redis-sentinel', [conf]))
    sentinelPorts.push(port)
    dirs.push(dir)
  }
  for (const port of sentinelPorts) {
    await waitFor(`sentinel on ${port} sees the set`, async () => {
      const info = await redisCli(port, 'sentinel', 'sentinels', masterName)
      const replicas = await redisCli(port, 'sentinel', 'replicas', masterName)
      return info.split('\n').filter((l) => l === 'name').length >= 2 && replicas.includes(String(replica.port))
    }, 20_000)
  }
  const masterPort = async (): Promise<number> => Number((await redisCli(sentinelPorts[0] as number, 'sentinel', 'get-master-addr-by-name', masterName)).split('\n')[1])
  return {
    masterName,
    master,
    replica,
    sentinelPorts,
    sentinelUrls: sentinelPorts.map((p) => `redis://127.0.0.1:${p}`),
    masterPort,
    async failover() {
      const before = await masterPort()
      await redisCli(sentinelPorts[0] as number, 'sentinel', 'failover', masterName)
      await waitFor('failover', async () => {
        const now = await masterPort()
        if (now === before) return false
        return /role:master/.test(await redisCli(now, 'info', 'replication'))
      }, 20_000)
    },
    async stop() {
      await Promise.all(sentinels.map((p) => stopProcess(p)))
      await Promise.all([master.stop(), replica.stop()])
      for (const d of [...dirs, master.dir, replica.dir]) rmSync(d, { recursive: true, force: true })
    },
  }
}

export interface RedisCluster {
  ports: number[]
  urls: string[]
  stop(): Promise<void>
}

/** Three masters joined with `redis-cli --cluster create` (no replicas). */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = []
  for (let i = 0; i < 3; i++) nodes.push(await startRedis({ extra: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'] }))
  const ports = nodes.map((n) => n.port)
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 })
  for (const port of ports) await waitFor(`cluster state on ${port}`, async () => /cluster_state:ok/.test(await redisCli(port, 'cluster', 'info')), 20_000)
  return {
    ports,
    urls: ports.map((p) => `redis://127.0.0.1:${p}`),
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()))
      for (const n of nodes) rmSync(n.dir, { recursive: true, force: true })
    },
  }
}
