// The ceilings for Node on this machine, each in its own process: the bare proxy (node:http in front of an undici
// Pool, no authentication, no header rules, no logs), so that gatehouse's own cost per request shows as the distance
// from that row; and node:http answering by itself with no upstream at all, the most any node:http server does here.
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

/** Answers every request itself: 200 "ok", as the upstream does. */
function serveAnswer(port: number): void {
  createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3' })
    res.end('ok\n')
  }).listen(port, '127.0.0.1')
}

/** A running bare proxy process. */
export interface BareProxy {
  pid: number
  url: string
  stop(): Promise<void>
}

/** Starts the bare proxy (or, with `answer`, the server that answers by itself) in a child process and waits until it answers. */
export async function startBareProxy(port: number, upstreamPort: number, mode: 'proxy' | 'answer' = 'proxy'): Promise<BareProxy> {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(port), String(upstreamPort), mode], { stdio: 'ignore' })
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[4] === 'answer') serveAnswer(Number(process.argv[2]))
  else serveBare(Number(process.argv[2]), Number(process.argv[3]))
}
