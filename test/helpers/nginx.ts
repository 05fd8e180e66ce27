// Runs the real Debian nginx for integration tests: a generated main config around the server blocks a
// test gives (the way users drop a file into /etc/nginx/conf.d), its own prefix and temp dir, listening
// on 127.0.0.1 ports chosen at run time, stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'

/** A running nginx. */
export interface Nginx {
  /** The temp prefix holding nginx.conf, the logs and the pid file. */
  dir: string
  pid: number
  /** error.log so far (for failure messages). */
  errorLog(): Promise<string>
  stop(): Promise<void>
}

/** How to start nginx. */
export interface NginxOptions {
  /** One or more `server { ... }` blocks (the body of the http context). */
  servers: string
  /** Ports that must answer before start resolves (any HTTP status counts). */
  ports: number[]
  /** Binary (default `nginx` on PATH, usually /usr/sbin/nginx). */
  binary?: string
  readyTimeoutMs?: number
  /** worker_processes (default 1). */
  workers?: number
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** Starts nginx in the foreground (`daemon off`) and resolves once every port in `ports` answers. */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-nginx-'))
  const conf = join(dir, 'nginx.conf')
  await writeFile(conf, mainConfig(dir, options.servers, options.workers ?? 1))
  const binary = options.binary ?? (process.env.NGINX_BIN ?? 'nginx')
  const proc = spawn(binary, ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`], {
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
  const errorLog = async (): Promise<string> => readFile(join(dir, 'error.log'), 'utf8').catch(() => '')
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
      process.kill(proc.pid, 'SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000)
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) {
      const log = `${output}\n${await errorLog()}`
      await stop()
      throw new Error(`nginx exited before it was ready:\n${log}`)
    }
    const answers = await Promise.all(options.ports.map(answersOn))
    if (answers.every(Boolean)) break
    if (Date.now() > deadline) {
      const log = `${output}\n${await errorLog()}`
      await stop()
      throw new Error(`nginx did not answer on ${options.ports.join(', ')}:\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { dir, pid: proc.pid, errorLog, stop }
}

/** The main context: logs, temp paths and the pid inside `dir`, one worker, then the given servers. */
function mainConfig(dir: string, servers: string, workers: number): string {
  return `worker_processes ${workers};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 256; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  default_type application/octet-stream;
${servers}
}
`
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
