// gRPC through gatehouse: a real @grpc/grpc-js client over TLS + HTTP/2 to the proxy, a real @grpc/grpc-js server
// behind it as an h2c:// upstream, the real dev IdP for bearer tokens (its ID tokens) and cookie sessions. Unary, server streaming,
// bidi streaming, trailers, deadlines, cancellation, and the refusals a gRPC client can read.
import { strict as assert } from 'node:assert'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import * as http2 from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import { status } from '@grpc/grpc-js'
import { Agent } from 'undici'
import { startDevIdp, type DevIdp } from '../../src/dev/idp.js'
import { echoCalls, metadataWith, startGrpcEcho, type EchoCalls, type GrpcEchoServer } from '../helpers/grpc-echo.js'
import { createClient } from '../helpers/http.js'
import { tokensFor } from '../helpers/idp-tokens.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, startGatehouse, type Gatehouse } from '../helpers/process.js'
import { selfSignedCert } from '../helpers/self-signed.js'

let dir: string
let ca: Buffer
let certPath: string
let keyPath: string
let idp: DevIdp
let upstream: GrpcEchoServer
let proxy: Gatehouse
let calls: EchoCalls
let alice: string
let bob: string

function proxyArgs(port: number, extra: string[] = []): string[] {
  return [
    '--provider=oidc',
    `--oidc-issuer-url=${idp.issuer}`,
    '--client-id=gatehouse',
    '--client-secret=gatehouse-secret',
    '--cookie-secret=0123456789abcdef0123456789abcdef',
    '--skip-jwt-bearer-tokens',
    `--upstream=h2c://${upstream.address}/`,
    `--tls-cert-file=${certPath}`,
    `--tls-key-file=${keyPath}`,
    `--https-address=127.0.0.1:${port}`,
    `--redirect-url=https://127.0.0.1:${port}/oauth2/callback`,
    ...extra,
  ]
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-grpc-'))
  ;({ certPath, keyPath } = selfSignedCert(dir))
  ca = await readFile(certPath)
  ;[idp, upstream] = await Promise.all([startDevIdp({
    // The proxy's callback is on its HTTPS listener; the throwaway relying party of tokensFor() stays on HTTP.
    clients: [{ clientId: 'gatehouse', clientSecret: 'gatehouse-secret', authMethod: 'client_secret_basic', redirectUris: ['https://127.0.0.1:*/**', 'http://127.0.0.1:*/**'] }],
  }), startGrpcEcho()])
  // alice may call, bob is signed in but refused (the policy is the e-mail list).
  const emails = join(dir, 'emails.txt')
  await writeFile(emails, 'alice@example.com\n')
  proxy = await startGatehouse({ args: proxyArgs(await freePort(), [`--authenticated-emails-file=${emails}`]) })
  calls = echoCalls(`127.0.0.1:${proxy.port}`, ca)
  ;[alice, bob] = await Promise.all([tokensFor(idp, 'alice').then((t) => t.idToken), tokensFor(idp, 'bob').then((t) => t.idToken)])
})

after(async () => {
  calls?.close()
  await Promise.allSettled([proxy?.stop(), upstream?.close(), idp?.close()])
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

const bearer = (token: string) => metadataWith('authorization', `Bearer ${token}`)

describe('gRPC calls through gatehouse to an h2c:// upstream', () => {
  it('relays a unary call with a bearer JWT, the identity headers set by gatehouse', async () => {
    const { reply, end } = await calls.unary('Echo', { text: 'hello' }, bearer(alice))
    assert.equal(end.code, status.OK, end.details)
    assert.equal(reply?.text, 'hello')
    assert.equal(reply?.email, 'alice@example.com')
  })

  it('relays a server-streaming call, every message and the trailing metadata', async () => {
    const { replies, end } = await calls.count(5, bearer(alice))
    assert.equal(end.code, status.OK, end.details)
    assert.deepEqual(replies.map((m) => m.n), [1, 2, 3, 4, 5])
    assert.equal(end.trailers['x-count'], '5')
  })

  it('relays a bidi-streaming call both ways', async () => {
    const { replies, end } = await calls.chat(['a', 'b', 'c'], bearer(alice))
    assert.equal(end.code, status.OK, end.details)
    assert.deepEqual(replies.map((m) => m.text), ['echo: a', 'echo: b', 'echo: c'])
  })

  it("keeps the upstream's grpc-status and grpc-message (a trailers-only error answer)", async () => {
    const { reply, end } = await calls.unary('Fail', {}, bearer(alice))
    assert.equal(reply, undefined)
    assert.equal(end.code, status.INVALID_ARGUMENT)
    assert.equal(end.details, 'no such thing: ünïcode % kept')
  })

  it("passes the caller's deadline on (grpc-timeout)", async () => {
    const deadline = new Date(Date.now() + 60_000)
    const { reply, end } = await calls.unary('Echo', { text: 'd' }, bearer(alice), { deadline })
    assert.equal(end.code, status.OK, end.details)
    assert.equal(typeof reply?.deadline, 'number', 'the upstream saw a deadline')
    // grpc-timeout is relative and rounded up to its unit: the upstream's deadline is the caller's, give or take a second.
    assert.ok(Math.abs((reply?.deadline ?? 0) - deadline.getTime()) < 1_000, `${String(reply?.deadline)} vs ${deadline.getTime()}`)
    const none = await calls.unary('Echo', { text: 'no deadline' }, bearer(alice))
    assert.equal(none.reply?.deadline, null)
  })

  it('ends with DEADLINE_EXCEEDED when the deadline passes while the upstream holds the call', async () => {
    const hang = upstream.expectHang()
    const end = await calls.hang({ deadline: new Date(Date.now() + 500) }, bearer(alice))
    assert.equal(end.code, status.DEADLINE_EXCEEDED)
    await hang.started
  })

  it('cancels the upstream call when the client cancels', async () => {
    const hang = upstream.expectHang()
    const end = await calls.hang({ cancelWhen: hang.started }, bearer(alice))
    assert.equal(end.code, status.CANCELLED)
    await hang.cancelled
  })

  it('answers a call with a session cookie', async () => {
    const agent = new Agent({ connect: { ca } })
    try {
      const browser = createClient({ dispatcher: agent })
      const login = await loginViaHttp(browser, `https://127.0.0.1:${proxy.port}/oauth2/start?rd=/`, { login: 'alice', password: 'alice-password' })
      assert.equal(login.status, 302, login.steps.map((r) => `${r.status} ${r.url}`).join('\n'))
      const cookie = browser.jar.header(`https://127.0.0.1:${proxy.port}/`)
      assert.ok(cookie !== undefined)
      const { reply, end } = await calls.unary('Echo', { text: 'cookie' }, metadataWith('cookie', cookie))
      assert.equal(end.code, status.OK, end.details)
      assert.equal(reply?.email, 'alice@example.com')
    } finally {
      await agent.close()
    }
  })
})

describe('gRPC calls gatehouse refuses', () => {
  it('answers a call without credentials with UNAUTHENTICATED, never reaching the upstream', async () => {
    const before = upstream.calls
    const { reply, end } = await calls.unary('Echo', { text: 'anonymous' })
    assert.equal(reply, undefined)
    assert.equal(end.code, status.UNAUTHENTICATED)
    assert.match(end.details, /authentication required/)
    assert.equal(upstream.calls, before)
  })

  it('answers a signed-in caller the policy refuses with PERMISSION_DENIED', async () => {
    const before = upstream.calls
    const { end } = await calls.unary('Echo', { text: 'bob' }, bearer(bob))
    assert.equal(end.code, status.PERMISSION_DENIED)
    assert.equal(upstream.calls, before)
  })

  it('puts the refusal on the wire as a gRPC server does: HTTP 200, grpc-status 16 in the trailers, no body, no HTML', async () => {
    const session = http2.connect(`https://127.0.0.1:${proxy.port}`, { ca, servername: 'localhost' })
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/gatehouse.test.Echo/Echo', 'content-type': 'application/grpc', te: 'trailers' })
      stream.end(Buffer.from([0, 0, 0, 0, 2, 0x7b, 0x7d]))
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', resolve))
      const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('trailers', resolve))
      const body: Buffer[] = []
      stream.on('data', (chunk: Buffer) => body.push(chunk))
      await new Promise((resolve) => stream.once('close', resolve))
      assert.equal(headers[':status'], 200)
      assert.equal(headers['content-type'], 'application/grpc')
      assert.equal((await trailers)['grpc-status'], '16')
      assert.equal(Buffer.concat(body).length, 0)
    } finally {
      session.close()
    }
  })
})

describe('the TLS listener with --http2', () => {
  const alpn = (port: number, offered: string[]): Promise<string | false> =>
    new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: offered }, () => {
        resolve(socket.alpnProtocol ?? false)
        socket.end()
      })
      socket.once('error', reject)
    })

  it('negotiates h2 by ALPN and keeps HTTP/1.1 for clients that do not offer it', async () => {
    assert.equal(await alpn(proxy.port, ['h2', 'http/1.1']), 'h2')
    assert.equal(await alpn(proxy.port, ['http/1.1']), 'http/1.1')
    const agent = new Agent({ connect: { ca } })
    try {
      const res = await createClient({ dispatcher: agent }).get(`https://127.0.0.1:${proxy.port}/ping`)
      assert.deepEqual([res.status, res.body], [200, 'OK'])
    } finally {
      await agent.close()
    }
  })

  it('offers HTTP/1.1 only with --http2=false', async () => {
    const plain = await startGatehouse({ args: proxyArgs(await freePort(), ['--http2=false', '--email-domain=*']) })
    try {
      assert.equal(await alpn(plain.port, ['h2', 'http/1.1']), 'http/1.1')
    } finally {
      await plain.stop()
    }
  })
})
