// Failure paths of the forwarder: timeouts, dead and flaky upstreams, clients that leave, keep-alive off.
import { strict as assert } from 'node:assert'
import { once } from 'node:events'
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { WebSocket } from 'ws'
import { send, startEchoApp, startMiniProxy, type EchoApp } from '../helpers/echo.js'

let echo: EchoApp

before(async () => {
  echo = await startEchoApp()
})
after(async () => {
  await echo.close()
})

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; sockets: Set<Socket> }> {
  const server = createServer(handler)
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets }
}

/** A promise with its resolver (Promise.withResolvers needs Node 22). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

describe('upstream failures', () => {
  it('answers 504 when the upstream sends no headers within the timeout', async () => {
    const proxy = await startMiniProxy({ upstreams: [`${echo.url}/`], forward: { timeoutMs: 200 } })
    try {
      const res = await send(proxy.url, '/slow?ms=3000')
      assert.equal(res.status, 504)
      assert.equal(res.headers['x-error-code'], 'ERR_UPSTREAM_TIMEOUT')
      assert.equal((await send(proxy.url, '/slow?ms=0')).status, 200, 'a prompt upstream still works afterwards')
    } finally {
      await proxy.close()
    }
  })

  it('answers 502 for a closed port, with or without a request body, and keeps serving', async () => {
    const port = await closedPort()
    const proxy = await startMiniProxy({ upstreams: [`http://127.0.0.1:${port}/`, `${echo.url}/alive/`] })
    try {
      const get = await send(proxy.url, '/down')
      assert.equal(get.status, 502)
      assert.equal(get.headers['x-error-code'], 'ERR_UPSTREAM_UNREACHABLE')
      const post = await send(proxy.url, '/down', { method: 'POST', body: Buffer.alloc(8 * 1024 * 1024, 'x') })
      assert.equal(post.status, 502, 'the client still gets an answer when its body was never read')
      const alive = await send(proxy.url, '/alive/x')
      assert.equal(alive.status, 200)
      assert.ok(proxy.errors.every((e) => e.code === 'ERR_UPSTREAM_UNREACHABLE' && e.status === 502))
    } finally {
      await proxy.close()
    }
  })

  it('answers 502 for an unknown host', async () => {
    const proxy = await startMiniProxy({ upstreams: ['http://gatehouse-no-such-host.invalid/'] })
    try {
      assert.equal((await send(proxy.url, '/')).status, 502)
    } finally {
      await proxy.close()
    }
  })

  it('answers 502 when the upstream closes without answering', async () => {
    const upstream = await listen((req) => req.socket.destroy())
    const proxy = await startMiniProxy({ upstreams: [`${upstream.url}/`] })
    try {
      assert.equal((await send(proxy.url, '/')).status, 502)
    } finally {
      await proxy.close()
      await stop(upstream.server)
    }
  })

  it('answers 502 when the upstream sends a header the client must never see', async () => {
    const raw = createNetServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 2\r\n\r\nok'))
    })
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    const proxy = await startMiniProxy({ upstreams: [`http://127.0.0.1:${(raw.address() as AddressInfo).port}/`] })
    try {
      const res = await send(proxy.url, '/')
      assert.equal(res.status, 502)
      assert.equal(res.headers['x-bad'], undefined)
    } finally {
      await proxy.close()
      await new Promise<void>((resolve) => raw.close(() => resolve()))
    }
  })

  it('cuts the client connection when the upstream dies mid-body, and keeps serving', async () => {
    const upstream = await listen((req, res) => {
      if (req.url === '/ok') {
        res.end('fine')
        return
      }
      res.writeHead(200, { 'Content-Length': '1000000' })
      res.write(Buffer.alloc(1000, 'a'), () => setImmediate(() => res.socket?.destroy()))
    })
    const proxy = await startMiniProxy({ upstreams: [`${upstream.url}/`] })
    try {
      await assert.rejects(send(proxy.url, '/partial'), /aborted|socket hang up|ECONNRESET/)
      const ok = await send(proxy.url, '/ok')
      assert.equal(ok.text, 'fine')
    } finally {
      await proxy.close()
      await stop(upstream.server)
    }
  })

  it('aborts the upstream request when the client leaves before the answer', async () => {
    let upstreamRequest: IncomingMessage | undefined
    const arrived = deferred()
    const upstreamClosed = deferred()
    const upstream = await listen((req, res) => {
      upstreamRequest = req
      res.once('close', () => upstreamClosed.resolve())
      arrived.resolve()
    })
    const proxy = await startMiniProxy({ upstreams: [`${upstream.url}/`] })
    try {
      const client = request(`${proxy.url}/hang`)
      client.on('error', () => undefined)
      client.end()
      await arrived.promise
      assert.ok(upstreamRequest !== undefined)
      client.destroy()
      await upstreamClosed.promise
      assert.equal(upstream.sockets.size, 0, 'the upstream connection was closed, not left dangling')
    } finally {
      await proxy.close()
      await stop(upstream.server)
    }
  })

  it('aborts the upstream response when the client leaves mid-download', async () => {
    let finished = false
    const upstreamClosed = deferred()
    const upstream = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      const chunk = Buffer.alloc(64 * 1024)
      const pump = (): void => {
        while (res.write(chunk)) {
          /* fill until backpressure */
        }
        res.once('drain', pump)
      }
      res.once('finish', () => (finished = true))
      res.once('close', () => upstreamClosed.resolve())
      pump()
    })
    const proxy = await startMiniProxy({ upstreams: [`${upstream.url}/`] })
    try {
      const got = deferred()
      const client = request(`${proxy.url}/endless`, (res) => res.once('data', () => got.resolve()))
      client.on('error', () => undefined)
      client.end()
      await got.promise
      client.destroy()
      await upstreamClosed.promise
      assert.equal(finished, false)
    } finally {
      await proxy.close()
      await stop(upstream.server)
    }
  })

  it('aborts the upstream request when the client leaves mid-upload', async () => {
    const upstreamAborted = deferred()
    let complete = true
    const upstream = await listen((req, res) => {
      if (req.url === '/after') {
        res.end('ok')
        return
      }
      req.on('data', () => undefined)
      req.once('close', () => {
        complete = req.complete
        upstreamAborted.resolve()
      })
    })
    const proxy = await startMiniProxy({ upstreams: [`${upstream.url}/`] })
    try {
      const client = request(`${proxy.url}/upload`, { method: 'POST', headers: { 'Content-Length': String(64 * 1024 * 1024) } })
      client.on('error', () => undefined)
      client.write(Buffer.alloc(1024 * 1024), () => setImmediate(() => client.destroy()))
      await upstreamAborted.promise
      assert.equal(complete, false, 'the upstream saw a cut-off body, not a finished one')
      assert.equal((await send(proxy.url, '/after')).status, 200, 'the proxy keeps serving')
    } finally {
      await proxy.close()
      await stop(upstream.server)
    }
  })

  it('closes upstream connections after each request when keep-alive is off', async () => {
    const connections: string[] = []
    const upstream = await listen((req, res) => {
      connections.push(String(req.headers.connection))
      res.end('x')
    })
    const warm = await startMiniProxy({ upstreams: [`${upstream.url}/`] })
    const cold = await startMiniProxy({ upstreams: [`${upstream.url}/`], forward: { keepAlive: false } })
    try {
      let accepted = 0
      upstream.server.on('connection', () => (accepted += 1))
      for (let i = 0; i < 3; i++) await send(warm.url, '/')
      assert.equal(accepted, 1, 'one warm connection serves every request')
      accepted = 0
      connections.length = 0
      for (let i = 0; i < 3; i++) await send(cold.url, '/')
      assert.equal(accepted, 3)
      assert.deepEqual(connections, ['close', 'close', 'close'])
    } finally {
      await warm.close()
      await cold.close()
      await stop(upstream.server)
    }
  })

  it('answers 502 to a WebSocket upgrade when the upstream is down', async () => {
    const proxy = await startMiniProxy({ upstreams: [`http://127.0.0.1:${await closedPort()}/`] })
    try {
      const ws = new WebSocket(`${proxy.url.replace('http:', 'ws:')}/ws`)
      const [, res] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage]
      assert.equal(res.statusCode, 502)
      res.resume()
    } finally {
      await proxy.close()
    }
  })
})
