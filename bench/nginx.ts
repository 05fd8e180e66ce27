// Starts Debian's nginx with a generated configuration in a temporary prefix, in the foreground, and stops it by pid.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Nginx {
  stop(): Promise<void>
}

const NGINX = '/usr/sbin/nginx'

/** Runs nginx with `http` as the body of its http block (one worker unless `workers` says otherwise). */
export async function startNginx(http: string, port: number, workers = 1): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'gatehouse-bench-nginx-'))
  mkdirSync(join(prefix, 'logs'))
  const conf = `worker_processes ${workers};
error_log ${prefix}/logs/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
${http}
}
`
  writeFileSync(join(prefix, 'nginx.conf'), conf)
  const proc: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()))
  const deadline = Date.now() + 5000
  while (!(await listening(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL')
      throw new Error(`nginx did not start on ${port}: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    async stop() {
      proc.kill('SIGQUIT')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
      rmSync(prefix, { recursive: true, force: true })
    },
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}
