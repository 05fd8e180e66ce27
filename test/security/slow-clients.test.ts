// Slow clients (slowloris heads, stalled bodies) against gatehouse's HTTP server with the production code path and
// short bounds (the process uses 60 s for both, too long for a test; see docs/security.md). Each bound must close the
// connection; a client within the bounds must still be served. Class: slow-header and slow-body DoS.
import { strict as assert } from 'node:assert'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { Writable } from 'node:stream'
import { createOriginResolver } from '../../src/http/forwarded.js'
import { createPages } from '../../src/http/pages.js'
import { createHttpServer } from '../../src/http/server.js'
import { createLogger } from '../../src/log/logger.js'
import { exchange, openSocket } from './raw-http.js'

const BOUND_MS = 400

let server: Server
let port = 0

before(async () => {
  server = createHttpServer({
    plan: {
      current: {
        handler: (ctx) => {
          ctx.req.resume()
          ctx.req.on('end', () => ctx.res.end('served'))
        },
        resolveOrigin: createOriginResolver({ reverseProxy: false, trustedProxyIps: [], realClientIpHeader: 'X-Real-IP' }),
        pages: createPages({ proxyPrefix: '/oauth2', providerName: 'Test', banner: '', footer: '', emailDomains: ['*'], version: 't', showDebugOnError: false, customLogin: false, logoHtml: '' }),
        requestIdHeader: 'x-request-id',
        forceJsonErrors: false,
        accessLog: () => {},
      },
    },
    log: createLogger({ destination: new Writable({ write: (_c: Buffer, _e, done) => done() }) }),
    bodyIdleMs: BOUND_MS,
    headersTimeoutMs: BOUND_MS,
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
after(() => new Promise<void>((r) => server.close(() => r())))

describe('slow clients are cut off', () => {
  it('a head that never completes (slowloris): the connection is closed, with 408 at most', async () => {
    const socket = await openSocket(port)
    const reply = await exchange(socket, ['GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n'], 20 * BOUND_MS)
    assert.equal(reply.closed, true, 'the server closed the connection')
    assert.ok(reply.statuses.every((s) => s === 408), reply.text)
  })

  it('a head trickled one header at a time past the bound is closed too', async () => {
    const socket = await openSocket(port)
    const reply = exchange(socket, ['GET / HTTP/1.1\r\nHost: x\r\n'], 20 * BOUND_MS)
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('X-Keep: alive\r\n')
    }, BOUND_MS / 4)
    const result = await reply
    clearInterval(trickle)
    assert.equal(result.closed, true)
    assert.ok(!result.text.includes('served'))
  })

  it('a body that stalls: 408 and closed', async () => {
    const socket = await openSocket(port)
    const reply = await exchange(socket, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial'], 20 * BOUND_MS)
    assert.equal(reply.closed, true)
    assert.deepEqual(reply.statuses, [408])
  })

  it('a chunked body that stops after a chunk: 408 and closed', async () => {
    const socket = await openSocket(port)
    const reply = await exchange(socket, ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'], 20 * BOUND_MS)
    assert.equal(reply.closed, true)
    assert.deepEqual(reply.statuses, [408])
  })

  it('control: a body sent in pieces, each gap within the bound, is served', async () => {
    const socket = await openSocket(port)
    const reply = exchange(socket, [], 20 * BOUND_MS)
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nConnection: close\r\n\r\n')
    for (const piece of ['ab', 'cd', 'ef']) {
      await new Promise((r) => setTimeout(r, BOUND_MS / 4))
      socket.write(piece)
    }
    const result = await reply
    assert.deepEqual(result.statuses, [200])
    assert.match(result.text, /served$/)
  })
})
