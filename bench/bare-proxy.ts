// The ceiling for any Node proxy on this machine: node:http in front of an undici Pool, no authentication, no
// header rules, no logs. bench/run.ts runs it as its own process, so that gatehouse's own cost per request shows
// as the distance from this row.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { Pool, request } from 'undici'

/** Serves on `port`, forwarding every request to 127.0.0.1:`upstreamPort` with `X-Forwarded-User: bare`. */
function serveBare(port: number, upstreamPort: number): void {
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: 128, pipelining: 1 })
  createServer((req, res) => {
    const headers = { ...req.headers, 'x-forwarded-user': 'bare' }
    pool.request({ path: req.url ?? '/', method: 'GET', headers }).then(
      (r) => {
        res.writeHead(r.statusCode, r.headers as Record<string, string>)
        r.body.pipe(res)
      },
      () => {
        res.statusCode = 502
        res.end()
      },
    )
  }).listen(port, '127.0.0.1')
}

/** A running bare proxy process. */
export interface BareProxy {
  pid: number
  url: string
  stop(): Promise<void>
}

/** Starts the bare proxy in a child process and waits until it answers. */
export async function startBareProxy(port: number, upstreamPort: number): Promise<BareProxy> {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(port), String(upstreamPort)], { stdio: 'ignore' })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    try {
      const res = await request(`${url}/`)
      await res.body.dump()
      break
    } catch (err) {
      if (i >= 200 || proc.exitCode !== null) throw new Error(`the bare proxy did not start: ${(err as Error).message}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  return {
    pid: proc.pid ?? 0,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve()
        proc.once('exit', () => resolve())
        proc.kill('SIGTERM')
      }),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serveBare(Number(process.argv[2]), Number(process.argv[3]))
