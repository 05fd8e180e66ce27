// Clients that leave at any moment — before the upstream answers, while headers arrive, mid-body, or before the
// request is even forwarded — must never take the process down or leak an upstream connection.
import { strict as assert } from 'node:assert'
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { startEchoApp, type EchoApp } from '../../src/dev/echo-app.js'
import { createForwarder } from '../../src/upstream/forward.js'
import { createUpstreamTable } from '../../src/upstream/table.js'
import { DEFAULT_FORWARD } from '../helpers/echo.js'
import { startGatehouse, type Gatehouse } from '../helpers/process.js'

/** Sends a request and destroys the socket after `delayMs`, or at its first response byte. */
function hangUp(port: number, path: string, delayMs: number, atFirstByte: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
      if (!atFirstByte) setTimeout(() => socket.destroy(), delayMs)
    })
    if (atFirstByte) socket.once('data', () => socket.destroy())
    socket.on('error', () => {})
    socket.on('close', () => resolve())
    setTimeout(() => socket.destroy(), 5000)
  })
}

describe('clients hanging up at any moment (real process)', () => {
  let echo: EchoApp
  let proxy: Gatehouse
  before(async () => {
    echo = await startEchoApp()
    proxy = await startGatehouse({ args: [`--upstream=${echo.url}/`, '--skip-auth-route=.*', '--cookie-secret=0123456789abcdef0123456789abcdef', '--client-id=x', '--client-secret=y', '--provider=oidc', '--oidc-issuer-url=http://127.0.0.1:9/', '--email-domain=*'] })
  })
  after(async () => {
    await proxy.stop()
    await echo.close()
  })

  it('keeps serving after hundreds of clients leave before, during and after the upstream answer', async () => {
    const paths = ['/x', '/bytes?n=2000000', '/slow?ms=5', '/sse?count=50&intervalMs=1']
    for (let round = 0; round < 8; round++) {
      const batch: Promise<void>[] = []
      for (let i = 0; i < 60; i++) batch.push(hangUp(proxy.port, paths[i % paths.length] ?? '/x', i % 7, i % 3 === 0))
      await Promise.all(batch)
    }
    assert.equal(proxy.proc.exitCode, null, `the process is still running:\n${proxy.logs().slice(-2000)}`)
    assert.equal((await fetch(`${proxy.url}/x`)).status, 200)
    assert.doesNotMatch(proxy.logs(), /Emitted 'error' event|Unhandled|uncaught/i)
  })
})

describe('a request forwarded after its client left (a slow session load or refresh came first)', () => {
  let echo: EchoApp
  let server: Server
  let port = 0
  const forwarder = createForwarder({ ...DEFAULT_FORWARD, keepAlive: true })
  const finished: Array<Promise<void>> = []
  before(async () => {
    echo = await startEchoApp()
    const table = createUpstreamTable([`${echo.url}/`])
    server = createServer((req, res) => {
      // The handler is still busy (as with a Redis load or an IdP refresh) when the client hangs up.
      finished.push(
        new Promise<void>((resolve, reject) => {
          setTimeout(() => {
            const match = table.match('/bytes')
            if (match === undefined || 'redirectTo' in match) return reject(new Error('no upstream'))
            forwarder.forward(req, res, match.target, { setHeaders: {}, removeHeaders: [], responseHeaders: {} }).then(resolve, reject)
          }, 100)
        }),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    server.close()
    await forwarder.close()
    await echo.close()
  })

  it('settles without an unhandled stream error and frees the upstream connection', async () => {
    await Promise.all(Array.from({ length: 5 }, () => hangUp(port, '/bytes?n=5000000', 10, false)))
    const outcomes = await Promise.race([
      Promise.allSettled(finished),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref()),
    ])
    assert.notEqual(outcomes, 'hung', 'every forward settles once its client is gone')
    assert.equal(finished.length, 5)
    // The pool still serves: the abandoned answers did not keep its connections.
    const res = await fetch(`http://127.0.0.1:${echo.port}/x`)
    assert.equal(res.status, 200)
  })
})
