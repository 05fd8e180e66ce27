// The streaming reverse proxy through the real process (`node dist/main.js`): bodies, query strings and encoded
// paths byte for byte, 1 MiB both ways, SSE before the stream ends, WebSockets, upstream timeout (504) and a down
// upstream (502), graceful SIGTERM, and the request id taken from X-Request-Id only from a trusted peer.
// Every route is public here (--skip-auth-route=.*): sign-in is covered by the signin-* files.
import { strict as assert } from 'node:assert'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { request } from 'undici'
import { WebSocket } from 'ws'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { send } from '../helpers/echo.js'
import { fromAddress } from '../helpers/examples.js'
import { createClient } from '../helpers/http.js'
import { freePort, startGatehouse, type Gatehouse } from '../helpers/process.js'

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

/** Rejects after `ms` with `what`, so every wait in this file is bounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A gate the upstream waits on until the test opens it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => {}
  const wait = new Promise<void>((resolve) => (open = resolve))
  return { wait, open }
}

/**
 * A second upstream under /mirror/: `body` sends the request body back as it arrives; `events` sends one SSE event,
 * then waits for the test before the second and the end; `hold` answers only when the test says so.
 */
class Mirror {
  server: Server
  url = ''
  events = gate()
  held = gate()
  release = gate()

  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/mirror/body') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
        req.pipe(res)
      } else if (req.url === '/mirror/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
        res.write('id: 1\ndata: one\n\n')
        void this.events.wait.then(() => res.end('id: 2\ndata: two\n\n'))
      } else if (req.url === '/mirror/hold') {
        this.held.open()
        void this.release.wait.then(() => res.end('held request done'))
      } else {
        res.writeHead(404).end()
      }
    })
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async close(): Promise<void> {
    this.events.open()
    this.release.open()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

describe('the real gatehouse process as a streaming reverse proxy', () => {
  let echo: EchoApp
  let mirror: Mirror
  let downPort: number
  let proxy: Gatehouse
  let args: (extra: string[]) => string[]

  before(async () => {
    ;[echo, downPort] = await Promise.all([startEchoApp(), freePort()])
    mirror = new Mirror()
    await mirror.start()
    args = (extra) => [
      '--provider=oidc',
      // No IdP here: discovery fails with a warning, and no route needs a session.
      `--oidc-issuer-url=http://127.0.0.1:${downPort}/`,
      '--client-id=gatehouse',
      '--client-secret=gatehouse-secret',
      `--cookie-secret=${randomBytes(32).toString('base64url')}`,
      '--email-domain=*',
      '--skip-auth-route=.*',
      `--upstream=${echo.url}/`,
      `--upstream=${mirror.url}/mirror/`,
      `--upstream=http://127.0.0.1:${downPort}/down/`,
      ...extra,
    ]
    proxy = await startGatehouse({ args: args(['--upstream-timeout=1s']) })
  })
  after(async () => {
    await proxy?.stop()
    await Promise.allSettled([echo?.close(), mirror?.close()])
  })

  it('passes a POST body intact', async () => {
    const body = 'name=J%C3%BCrgen+%26+Co&empty=&list=1&list=2\r\nsecond line ü'
    const res = await createClient().request('POST', `${proxy.url}/form?x=1`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    assert.equal(res.status, 200)
    const seen = res.json<EchoReply>()
    assert.equal(seen.method, 'POST')
    assert.equal(seen.body, body)
    assert.equal(seen.bodyBytes, Buffer.byteLength(body))
    assert.equal(seen.headers['content-type'], 'application/x-www-form-urlencoded')
  })

  it('passes repeated query arguments and %2F in a path byte for byte', async () => {
    const res = await send(proxy.url, '/files/a%2Fb/c%2fd?a=1&a=2&b=%2F&c=x+y&a=3&flag')
    assert.equal(res.status, 200, res.text)
    const seen = res.json()
    assert.equal(seen.path, '/files/a%2Fb/c%2fd')
    assert.equal(seen.rawQuery, 'a=1&a=2&b=%2F&c=x+y&a=3&flag')
    assert.deepEqual(seen.query.a, ['1', '2', '3'])
  })

  it('passes a 1 MiB body intact both ways', async () => {
    const sent = randomBytes(1024 * 1024)
    const res = await request(`${proxy.url}/mirror/body`, { method: 'POST', body: sent, headers: { 'content-type': 'application/octet-stream' } })
    const received = Buffer.from(await res.body.arrayBuffer())
    assert.equal(res.statusCode, 200)
    assert.equal(received.length, sent.length)
    assert.equal(sha256(received), sha256(sent))
    // And the upstream's own count of what arrived, through the echo app.
    const upload = await request(`${proxy.url}/upload`, { method: 'PUT', body: sent })
    assert.deepEqual(await upload.body.json(), { bytes: sent.length, sha256: sha256(sent) })
  })

  it('delivers an SSE event while the upstream still holds the stream open', async () => {
    const res = await request(`${proxy.url}/mirror/events`, { headers: { accept: 'text/event-stream' } })
    assert.equal(res.statusCode, 200)
    assert.match(String(res.headers['content-type']), /^text\/event-stream/)
    const chunks = res.body[Symbol.asyncIterator]()
    let text = ''
    // The upstream sends the second event only after the first reached the client: buffering would hang here.
    while (!text.includes('data: one\n\n')) {
      const next = await within(chunks.next(), 5000, 'first SSE event through the proxy')
      assert.equal(next.done, false, 'the stream ended before the first event arrived')
      text += Buffer.from(next.value as Uint8Array).toString('utf8')
    }
    assert.doesNotMatch(text, /data: two/)
    mirror.events.open()
    for (;;) {
      const next = await within(chunks.next(), 5000, 'end of the SSE stream')
      if (next.done === true) break
      text += Buffer.from(next.value as Uint8Array).toString('utf8')
    }
    assert.equal(text, 'id: 1\ndata: one\n\nid: 2\ndata: two\n\n')
  })

  it('echoes WebSocket text and binary messages through the proxy', async () => {
    const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/ws`)
    const messages: { data: Buffer; binary: boolean }[] = []
    const arrived = (n: number): Promise<void> =>
      within(
        new Promise<void>((resolve) => {
          const check = (): void => void (messages.length >= n && resolve())
          ws.on('message', check)
          check()
        }),
        5000,
        `WebSocket message ${n}`,
      )
    ws.on('message', (data, binary) => messages.push({ data: data as Buffer, binary }))
    await within(new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject)), 5000, 'WebSocket open')
    ws.send('hello through gatehouse')
    await arrived(1)
    const blob = randomBytes(70_000)
    ws.send(blob)
    await arrived(2)
    assert.deepEqual(messages[0], { data: Buffer.from('hello through gatehouse'), binary: false })
    assert.equal(messages[1]?.binary, true)
    assert.ok(messages[1]?.data.equals(blob))
    ws.close()
    await within(new Promise((resolve) => ws.once('close', resolve)), 5000, 'WebSocket close')
  })

  it('answers 504 when the upstream sends no headers within --upstream-timeout', async () => {
    const res = await createClient().get(`${proxy.url}/slow?ms=20000`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 504)
    assert.match(res.json<{ requestId: string }>().requestId, /^[0-9a-f-]{36}$/)
  })

  it('answers 502 with a request id when the upstream is down, logged once', async () => {
    const json = await createClient().get(`${proxy.url}/down/x`, { headers: { accept: 'application/json' } })
    assert.equal(json.status, 502)
    const { requestId } = json.json<{ requestId: string }>()
    assert.match(requestId, /^[0-9a-f-]{36}$/)
    // The access line goes to stdout and the error line to stderr: two pipes, read in no fixed order.
    await proxy.waitForLog(new RegExp(`"event":"http.request","requestId":"${requestId}"`))
    const logs = await proxy.waitForLog(new RegExp(`"level":"error"[^\n]*"requestId":"${requestId}"`))
    const lines = logs.split('\n').filter((l) => l.includes(requestId))
    const errors = lines.filter((l) => l.includes('"level":"error"'))
    assert.equal(errors.length, 1, lines.join('\n'))
    assert.match(errors[0] ?? '', /"errorCode":"ERR_UPSTREAM_UNREACHABLE"/)
    assert.equal(lines.filter((l) => l.includes('"event":"http.request"')).length, 1, lines.join('\n'))

    const page = await createClient().get(`${proxy.url}/down/y`, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 502)
    assert.match(page.body, /Request ID: (?:<code>)?[0-9a-f-]{36}/)
  })

  it('stays up after the 502 and the 504', async () => {
    assert.equal(proxy.proc.exitCode, null)
    const ping = await createClient().get(`${proxy.url}/ping`)
    assert.equal(ping.status, 200)
    assert.equal((await createClient().get(`${proxy.url}/after`)).json<EchoReply>().path, '/after')
  })

  it('ignores X-Request-Id without --reverse-proxy', async () => {
    const res = await createClient().get(`${proxy.url}/down/id`, { headers: { accept: 'application/json', 'x-request-id': 'client-chosen-id-1' } })
    assert.equal(res.status, 502)
    assert.notEqual(res.json<{ requestId: string }>().requestId, 'client-chosen-id-1')
  })

  describe('with --reverse-proxy --trusted-proxy-ip=127.0.0.1', () => {
    let trusting: Gatehouse
    before(async () => {
      trusting = await startGatehouse({ args: args(['--reverse-proxy', '--trusted-proxy-ip=127.0.0.1']) })
    })
    after(async () => {
      await trusting?.stop()
    })

    it('takes X-Request-Id from a trusted peer only', async () => {
      const headers = { accept: 'application/json', 'x-request-id': 'client-chosen-id-2' }
      const trusted = await createClient().get(`${trusting.url}/down/id`, { headers })
      assert.equal(trusted.json<{ requestId: string }>().requestId, 'client-chosen-id-2')
      const other = await createClient({ dispatcher: fromAddress('127.0.0.2') }).get(`${trusting.url}/down/id`, { headers })
      assert.equal(other.status, 502)
      assert.match(other.json<{ requestId: string }>().requestId, /^[0-9a-f-]{36}$/)
    })

    it('on SIGTERM stops accepting, completes the in-flight request and exits 0', async () => {
      const inFlight = request(`${trusting.url}/mirror/hold`)
      await within(mirror.held.wait, 5000, 'the held request reaching the upstream')
      const exited = trusting.stop('SIGTERM')
      await trusting.waitForLog('"event":"server.stopping"')
      await assert.rejects(request(`${trusting.url}/ping`, { headersTimeout: 2000 }), 'a new connection is refused while draining')
      mirror.release.open()
      const res = await inFlight
      assert.equal(res.statusCode, 200)
      assert.equal(await res.body.text(), 'held request done')
      assert.equal(await exited, 0, trusting.logs())
      assert.match(trusting.logs(), /"event":"server.stopped"/)
    })
  })
})
