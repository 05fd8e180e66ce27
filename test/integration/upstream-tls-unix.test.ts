// HTTPS upstreams (certificate checks, SNI from the upstream URL) and unix-socket upstreams, for plain
// requests and WebSocket tunnels. The test certificate comes from the openssl command line.
import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import { WebSocket, WebSocketServer } from 'ws'
import { send, startMiniProxy } from '../helpers/echo.js'

interface Seen {
  path: string
  host: string
  servername: string | false | null
  forwardedFor: string | undefined
}

const answer = (req: IncomingMessage, res: ServerResponse): void => {
  const seen: Seen = {
    path: req.url ?? '',
    host: req.headers.host ?? '',
    servername: (req.socket as TLSSocket).servername ?? null,
    forwardedFor: req.headers['x-forwarded-for'] as string | undefined,
  }
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(seen))
}

function echoSockets(server: ReturnType<typeof createServer>): WebSocketServer {
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws, req) => {
    ws.send(`hello ${req.headers['x-forwarded-for'] ?? ''}`)
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  })
  return wss
}

async function wsRoundTrip(url: string): Promise<string[]> {
  const ws = new WebSocket(url)
  const got: string[] = []
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      got.push(data.toString())
      if (got.length === 1) ws.send('ping')
      else ws.close()
    })
    ws.once('close', () => resolve())
    ws.once('error', reject)
  })
  return got
}

let dir: string
let tls: { url: string; ipUrl: string; close(): Promise<void> }
let unix: { socketPath: string; close(): Promise<void> }

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-upstream-'))
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' })
  const httpsServer = createHttpsServer({ key: await readFile(keyPath), cert: await readFile(certPath) }, answer)
  const httpsSockets = echoSockets(httpsServer as unknown as ReturnType<typeof createServer>)
  await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve))
  const port = (httpsServer.address() as AddressInfo).port
  tls = {
    url: `https://localhost:${port}`,
    ipUrl: `https://127.0.0.1:${port}`,
    async close() {
      httpsSockets.close()
      httpsServer.closeAllConnections()
      await new Promise<void>((resolve) => httpsServer.close(() => resolve()))
    },
  }

  const socketPath = join(dir, 'app.sock')
  const unixServer = createServer(answer)
  const unixSockets = echoSockets(unixServer)
  await new Promise<void>((resolve) => unixServer.listen(socketPath, resolve))
  unix = {
    socketPath,
    async close() {
      unixSockets.close()
      unixServer.closeAllConnections()
      await new Promise<void>((resolve) => unixServer.close(() => resolve()))
    },
  }
})

after(async () => {
  await tls.close()
  await unix.close()
  await rm(dir, { recursive: true, force: true })
})

describe('https upstreams', () => {
  it('refuses an upstream certificate it cannot verify (502)', async () => {
    const proxy = await startMiniProxy({ upstreams: [`${tls.url}/`] })
    try {
      const res = await send(proxy.url, '/x')
      assert.equal(res.status, 502)
      assert.equal(res.headers['x-error-code'], 'ERR_UPSTREAM_UNREACHABLE')
    } finally {
      await proxy.close()
    }
  })

  it('skips verification when told, and names the upstream host in SNI whatever the client Host', async () => {
    const proxy = await startMiniProxy({ upstreams: [`${tls.url}/`], forward: { insecureSkipVerify: true } })
    try {
      for (const host of ['app.example.com', 'other.example.com']) {
        const seen = (await send(proxy.url, '/x?y=1', { host })).json<Seen>()
        assert.deepEqual(seen, { path: '/x?y=1', host, servername: 'localhost', forwardedFor: '127.0.0.1' })
      }
    } finally {
      await proxy.close()
    }
  })

  it('sends no SNI to an IP-address upstream and the target host when pass_host_header is off', async () => {
    const proxy = await startMiniProxy({ upstreams: [`${tls.ipUrl}/`], forward: { insecureSkipVerify: true, passHostHeader: false } })
    try {
      const seen = (await send(proxy.url, '/', { host: 'app.example.com' })).json<Seen>()
      assert.equal(seen.servername, false)
      assert.equal(seen.host, new URL(tls.ipUrl).host)
    } finally {
      await proxy.close()
    }
  })

  it('tunnels a WebSocket to a TLS upstream', async () => {
    const proxy = await startMiniProxy({ upstreams: [`${tls.url}/`], forward: { insecureSkipVerify: true } })
    try {
      assert.deepEqual(await wsRoundTrip(`${proxy.url.replace('http:', 'ws:')}/socket`), ['hello 127.0.0.1', 'ping'])
    } finally {
      await proxy.close()
    }
  })
})

describe('unix socket upstreams', () => {
  it('proxies to the socket with the original request target', async () => {
    const proxy = await startMiniProxy({ upstreams: [`unix://${unix.socketPath}`] })
    try {
      const seen = (await send(proxy.url, '/any/path?q=%2F', { host: 'app.example.com' })).json<Seen>()
      assert.equal(seen.path, '/any/path?q=%2F')
      assert.equal(seen.host, 'app.example.com')
      assert.equal(seen.forwardedFor, '127.0.0.1')
    } finally {
      await proxy.close()
    }
  })

  it('sends Host: localhost when pass_host_header is off', async () => {
    const proxy = await startMiniProxy({ upstreams: [`unix://${unix.socketPath}`], forward: { passHostHeader: false } })
    try {
      assert.equal((await send(proxy.url, '/', { host: 'app.example.com' })).json<Seen>().host, 'localhost')
    } finally {
      await proxy.close()
    }
  })

  it('tunnels a WebSocket over the socket', async () => {
    const proxy = await startMiniProxy({ upstreams: [`unix://${unix.socketPath}`] })
    try {
      assert.deepEqual(await wsRoundTrip(`${proxy.url.replace('http:', 'ws:')}/socket`), ['hello 127.0.0.1', 'ping'])
    } finally {
      await proxy.close()
    }
  })
})
