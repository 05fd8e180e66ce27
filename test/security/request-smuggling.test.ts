// Request smuggling and size limits through the real process with raw sockets. A smuggled request hides a second
// request (here `GET /private`, which needs a session) in the body of a first one that a skip-auth rule lets through;
// it must never reach the echo upstream. Classes: CL.TE / TE.CL desync (RFC 9112 §6.3), duplicate Content-Length,
// Transfer-Encoding obfuscation, hop-by-hop header abuse (a client naming identity headers in Connection), oversized
// heads and cookies (431; oauth2-proxy #2163/#2383, mod_auth_openidc CVE-2024-24814), many idle connections.
import { strict as assert } from 'node:assert'
import type { Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { startStack, type Stack } from '../helpers/stack.js'
import { echoed, exchange, head, openSocket, rawRequest, type RawReply } from './raw-http.js'

let stack: Stack
let port: number

before(async () => {
  stack = await startStack({ args: ['--skip-auth-route=^/health$'] })
  port = stack.proxy.port
})
after(() => stack.close())

const SMUGGLED = 'GET /private HTTP/1.1\r\nHost: gatehouse.test\r\nAccept: application/json\r\n\r\n'

function assertNotSmuggled(reply: RawReply, what: string): void {
  assert.ok(!reply.text.includes('"path":"/private"'), `${what}: /private reached the upstream:\n${reply.text.slice(0, 600)}`)
  assert.ok(!reply.statuses.slice(1).includes(200), `${what}: a second response was served: ${reply.statuses.join(',')}`)
}

async function assertStillServing(): Promise<void> {
  const reply = await rawRequest(port, head('GET /health', ['Accept: application/json']))
  assert.equal(echoed(reply)?.path, '/health', reply.text.slice(0, 200))
}

describe('Content-Length and Transfer-Encoding desync (CL.TE, TE.CL)', () => {
  it('control: a pipelined second request is judged on its own (401, not proxied)', async () => {
    const reply = await rawRequest(port, `${head('GET /health', ['Connection: keep-alive'])}${SMUGGLED.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')}`)
    assert.deepEqual(reply.statuses, [200, 401])
    assertNotSmuggled(reply, 'pipelined')
  })

  it('Content-Length together with Transfer-Encoding: chunked is refused with 400', async () => {
    const body = `0\r\n\r\n${SMUGGLED}`
    for (const headers of [
      [`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked'],
      ['Transfer-Encoding: chunked', `Content-Length: 4`],
      ['Content-Length: 5', 'Transfer-Encoding: chunked'],
    ]) {
      const reply = await rawRequest(port, `${head('POST /health', [...headers, 'Connection: keep-alive'])}${body}`)
      assert.equal(reply.statuses[0], 400, `${headers.join(' + ')}: ${reply.text.slice(0, 200)}`)
      assertNotSmuggled(reply, headers.join(' + '))
    }
  })

  it('two Content-Length headers, or a list in one, are refused with 400', async () => {
    for (const headers of [['Content-Length: 0', `Content-Length: ${SMUGGLED.length}`], ['Content-Length: 0', 'Content-Length: 0'], [`Content-Length: 0, ${SMUGGLED.length}`], ['Content-Length: +0'], ['Content-Length: -1']]) {
      const reply = await rawRequest(port, `${head('POST /health', [...headers, 'Connection: keep-alive'])}${SMUGGLED}`)
      assert.equal(reply.statuses[0], 400, `${headers.join(' + ')}: ${reply.text.slice(0, 200)}`)
      assertNotSmuggled(reply, headers.join(' + '))
    }
  })

  it('obfuscated Transfer-Encoding never hides a second request', async () => {
    const body = `0\r\n\r\n${SMUGGLED}`
    for (const te of ['Transfer-Encoding: xchunked', 'Transfer-Encoding: chunked, identity', 'Transfer-Encoding: identity', 'Transfer-Encoding : chunked', 'Transfer-Encoding:\tchunked', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: x', 'Transfer_Encoding: chunked', ' Transfer-Encoding: chunked']) {
      const reply = await rawRequest(port, `${head('POST /health', [te, `Content-Length: ${body.length}`, 'Connection: keep-alive'])}${body}`)
      assertNotSmuggled(reply, JSON.stringify(te))
    }
  })

  it('a bad chunk size or a chunk extension trick is refused', async () => {
    for (const body of [`zz\r\n${SMUGGLED}\r\n0\r\n\r\n`, `1;a=${'x'.repeat(20_000)}\r\nx\r\n0\r\n\r\n`, `0x0\r\n\r\n${SMUGGLED}`]) {
      const reply = await rawRequest(port, `${head('POST /health', ['Transfer-Encoding: chunked', 'Connection: keep-alive'])}${body}`)
      assertNotSmuggled(reply, JSON.stringify(body.slice(0, 20)))
    }
    await assertStillServing()
  })

  it('a bare LF or CR in the head is refused with 400 and does not split it into two requests', async () => {
    for (const request of [`GET /health HTTP/1.1\nHost: x\n\n${SMUGGLED}`, `GET /health HTTP/1.1\r\nHost: x\rGET /private HTTP/1.1\r\n\r\n`, `GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n`]) {
      const reply = await rawRequest(port, request)
      assert.equal(reply.statuses[0], 400, JSON.stringify(request.slice(0, 40)))
      assertNotSmuggled(reply, JSON.stringify(request.slice(0, 40)))
    }
  })
})

describe('hop-by-hop abuse: a client naming identity headers in Connection', () => {
  it('the upstream still receives gatehouse\'s identity headers', async () => {
    const { client } = await stack.signIn('alice')
    const cookie = client.jar.header(stack.proxy.url) ?? ''
    const reply = await rawRequest(port, head('GET /who', [`Cookie: ${cookie}`, 'Accept: application/json', 'Connection: close, X-Forwarded-Email, X-Forwarded-User, Authorization, Cookie']))
    const echo = echoed(reply)
    assert.ok(echo !== undefined, reply.text.slice(0, 300))
    assert.equal(echo.headers['x-forwarded-email'], 'alice@example.com')
    assert.equal(echo.headers['x-forwarded-user'], 'alice')
  })
})

describe('limits: oversized heads and cookies are 431, the process keeps serving', () => {
  it('one 20 KiB header, a 20 KiB cookie, many cookies, a 20 KiB URL', async () => {
    const cases: Array<[string, string]> = [
      ['header', head('GET /health', [`X-Big: ${'a'.repeat(20_000)}`])],
      ['cookie', head('GET /health', [`Cookie: _oauth2_proxy=${'a'.repeat(20_000)}`])],
      ['cookies', head('GET /health', Array.from({ length: 200 }, (_, i) => `Cookie: _oauth2_proxy_${i}=${'b'.repeat(100)}`))],
      ['url', head(`GET /health?${'q'.repeat(20_000)}`)],
    ]
    for (const [what, request] of cases) {
      const reply = await rawRequest(port, request)
      assert.equal(reply.statuses[0], 431, `${what}: ${reply.text.slice(0, 200)}`)
      assert.equal(echoed(reply), undefined)
    }
    await assertStillServing()
  })

  it('a session cookie just under the limit, but garbage, is a fresh sign-in (fail closed), not a crash', async () => {
    const chunks = Array.from({ length: 3 }, (_, i) => `_oauth2_proxy_${i}=${'A'.repeat(4_000)}`).join('; ')
    const reply = await rawRequest(port, head('GET /private', [`Cookie: ${chunks}`, 'Accept: application/json']))
    assert.equal(reply.statuses[0], 401, reply.text.slice(0, 200))
    await assertStillServing()
  })
})

describe('many connections held open', () => {
  const held: Socket[] = []
  after(() => held.forEach((s) => s.destroy()))

  it('300 idle connections with half-sent heads do not stop a new client from being served', async () => {
    for (let i = 0; i < 300; i++) {
      const socket = await openSocket(port)
      socket.on('error', () => {})
      socket.write('GET /health HTTP/1.1\r\nHost: gatehouse.test\r\n')
      held.push(socket)
    }
    await assertStillServing()
    const { client } = await stack.signIn('bob')
    const res = await client.get(`${stack.proxy.url}/who`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 200)
    held.forEach((s) => s.destroy())
  })

  it('a connection that sends a head slowly, byte by byte within the bound, is still served', async () => {
    const socket = await openSocket(port)
    const bytes = head('GET /health', ['Accept: application/json'])
    const reply = exchange(socket, [], 5_000)
    for (const ch of bytes) {
      socket.write(ch)
      await new Promise((r) => setTimeout(r, 2))
    }
    assert.equal(echoed(await reply)?.path, '/health')
  })
})
