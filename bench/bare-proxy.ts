// The ceilings for Node on this machine, each in its own process: the bare proxy (node:http in front of an undici
// Pool, no authentication, no header rules, no logs), so that gatehouse's own cost per request shows as the distance
// from that row; and node:http answering by itself with no upstream at all, the most any node:http server does here.
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { Pool } from 'undici'
import { childServer, type ChildServer } from './child-server.js'

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

/** Starts the bare proxy (or, with `answer`, the server that answers by itself) in a child process and waits until it answers. */
export function startBareProxy(port: number, upstreamPort: number, mode: 'proxy' | 'answer' = 'proxy'): Promise<ChildServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(port), String(upstreamPort), mode], { stdio: 'ignore' })
  return childServer(proc, port, mode === 'proxy' ? 'the bare proxy' : 'the answering server')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[4] === 'answer') serveAnswer(Number(process.argv[2]))
  else serveBare(Number(process.argv[2]), Number(process.argv[3]))
}
