import { strict as assert } from 'node:assert'
import type { Server } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { Writable } from 'node:stream'
import { ProxyError } from '../errors.js'
import { createLogger } from '../log/logger.js'
import { createOriginResolver } from './forwarded.js'
import { createPages } from './pages.js'
import { createHttpServer } from './server.js'

const lines: string[] = []
const log = createLogger({ destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }) })

/** Sends raw bytes, optionally stalls, and resolves with everything the server wrote before closing. */
function exchange(port: number, bytes: string, stallMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes))
    let out = ''
    socket.setEncoding('utf8').on('data', (d: string) => (out += d))
    socket.on('error', reject)
    socket.on('close', () => resolve(out))
    if (stallMs === 0) setTimeout(() => socket.end(), 200)
    else setTimeout(() => socket.destroy(), stallMs)
  })
}

describe('the HTTP server boundary', () => {
  let server: Server
  let port = 0
  before(async () => {
    server = createHttpServer({
      plan: {
        current: {
          handler: (ctx) => {
            if (ctx.pathname === '/boom') throw new Error('secret internal detail')
            if (ctx.pathname === '/teapot') throw new ProxyError('ERR_FORBIDDEN', 403, 'refused')
            // Reads the body before answering, as the forwarder does.
            ctx.req.resume()
            ctx.req.on('end', () => ctx.res.end('ok'))
          },
          resolveOrigin: createOriginResolver({ reverseProxy: false, trustedProxyIps: [], realClientIpHeader: 'X-Real-IP' }),
          pages: createPages({ proxyPrefix: '/oauth2', providerName: 'Test', banner: '', footer: '', emailDomains: ['*'], version: 't', showDebugOnError: false, customLogin: false, logoHtml: '' }),
          requestIdHeader: 'x-request-id',
          forceJsonErrors: false,
          accessLog: () => {},
        },
      },
      log,
      bodyIdleMs: 300,
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  after(() => new Promise<void>((r) => server.close(() => r())))

  it('answers 408 and closes when a request body stalls', async () => {
    const out = await exchange(port, 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789', 3000)
    assert.match(out, /^HTTP\/1\.1 408 /)
    assert.ok(lines.some((l) => l.includes('http.body.timeout')))
  })

  it('keeps a complete body request working', async () => {
    const out = await exchange(port, 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc')
    assert.match(out, /^HTTP\/1\.1 200 /)
    assert.match(out, /ok$/)
  })

  it('answers 431 to oversized headers', async () => {
    const out = await exchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    assert.match(out, /^HTTP\/1\.1 431 /)
  })

  it('turns an unexpected error into a 500 page with a request id and one log line, without the internal message', async () => {
    const before = lines.filter((l) => l.includes('"http.error"')).length
    const out = await exchange(port, 'GET /boom HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n')
    assert.match(out, /^HTTP\/1\.1 500 /)
    assert.doesNotMatch(out, /secret internal detail/)
    const logged = lines.filter((l) => l.includes('"http.error"'))
    assert.equal(logged.length, before + 1)
    const id = /"requestId":"([^"]+)"/.exec(logged.at(-1) ?? '')?.[1]
    assert.ok(id !== undefined && out.includes(id), 'the page shows the logged request id')
  })

  it('answers JSON errors to API clients', async () => {
    const out = await exchange(port, 'GET /teapot HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n')
    assert.match(out, /^HTTP\/1\.1 403 /)
    assert.match(out, /"requestId":"/)
  })
})
