// What every bench script shares: the nginx upstream, the development IdP, gatehouse's flags for them, and a signed-in
// cookie. Nothing here is measured.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from '../test/helpers/http.js'
import { loginViaHttp } from '../test/helpers/login.js'
import { startNginx, type Nginx } from '../test/helpers/nginx.js'
import { startDevIdp, type DevIdp } from '../src/dev/idp.js'
import { upstreamConf } from './targets.js'

/** The upstream (nginx answering "ok") and the IdP, with their stop functions. */
export interface BenchBase {
  upstreamPort: number
  idp: DevIdp
  upstream: Nginx
  stop(): Promise<void>
}

/** Starts the nginx upstream on `upstreamPort` and the development IdP. */
export async function startBenchBase(upstreamPort: number): Promise<BenchBase> {
  const upstream = await startNginx({ servers: upstreamConf(upstreamPort), ports: [upstreamPort] })
  const idp = await startDevIdp()
  return {
    upstreamPort,
    idp,
    upstream,
    async stop() {
      await idp.close()
      await upstream.stop()
    },
  }
}

/** How long a process is left idle before its memory counts as "at rest". */
const REST_MS = 2000

/** Waits while the processes idle, so that V8 has shrunk the heap the last load or sign-in grew. */
export function waitAtRest(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, REST_MS))
}

/** The cookie secret of every bench instance (bench/memory.ts seals sessions with it). */
export const BENCH_COOKIE_SECRET = 'b'.repeat(32)

/** gatehouse's flags for a bench instance on `port`: the dev IdP, any email, X-Auth-Request headers, the nginx upstream. */
export function gatehouseFlags(base: BenchBase, port: number): string[] {
  return [
    '--provider=oidc',
    `--oidc-issuer-url=${base.idp.issuer}`,
    '--client-id=gatehouse',
    '--client-secret=gatehouse-secret',
    `--cookie-secret=${BENCH_COOKIE_SECRET}`,
    '--cookie-secure=false',
    '--email-domain=*',
    '--set-xauthrequest',
    `--upstream=http://127.0.0.1:${base.upstreamPort}/`,
    `--redirect-url=http://127.0.0.1:${port}/oauth2/callback`,
  ]
}

/** Signs `login` in at a gatehouse through the IdP's form and returns the Cookie header of the session. */
export async function signIn(url: string, login = 'alice'): Promise<string> {
  const client = createClient()
  const res = await loginViaHttp(client, `${url}/oauth2/start?rd=/`, { login, password: `${login}-password` })
  if (res.status !== 302) throw new Error(`sign-in at ${url} failed with ${res.status}`)
  const cookie = client.jar.header(url)
  if (cookie === undefined) throw new Error(`no session cookie after sign-in at ${url}`)
  return cookie
}

/** An OTLP/HTTP endpoint that accepts every export and keeps nothing: the collector of the tracing row. */
export async function startOtlpSink(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
