// oauth2-proxy's alpha `server` block through the real process: bindAddress and secureBindAddress together run an HTTP
// and an HTTPS listener over one handler (alone and under --workers 2), the certificate and key given as `value` or
// `fromEnv`, a reload that takes a new certificate, SIGTERM draining a request in flight on each listener, and the
// start-up errors for a certificate that is not there or not PEM.
import { strict as assert } from 'node:assert'
import { X509Certificate } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import { Agent, request } from 'undici'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { listenOnLoopback, type LoopbackServer } from '../helpers/loopback-server.js'
import { freePort, runGatehouse, startGatehouse, type Gatehouse } from '../helpers/process.js'
import { sighup } from '../helpers/reload.js'
import { selfSignedCert } from '../helpers/self-signed.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-alpha-listeners-'))
const pair = (name: string): { cert: string; key: string } => {
  const at = join(dir, name)
  mkdirSync(at)
  const { certPath, keyPath } = selfSignedCert(at)
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') }
}
const FIRST = pair('first')
const RENEWED = pair('renewed')
const CORE = ['--cookie-secret=0123456789abcdef', '--email-domain=*', '--skip-auth-route=^/']

/** Rejects after `ms` with `what`, so every wait here is bounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** An upstream that answers `/hold/<tag>` only once the test releases it, and says when each request arrived. */
class HoldingUpstream {
  private arrivals = new Map<string, () => void>()
  private arrived = new Map<string, Promise<void>>()
  private release: () => void = () => {}
  private released = new Promise<void>((resolve) => (this.release = resolve))
  private loopback: LoopbackServer | undefined
  readonly server = createServer((req: IncomingMessage, res: ServerResponse) => {
    this.expect(req.url ?? '')
    this.arrivals.get(req.url ?? '')?.()
    void this.released.then(() => res.end(`done ${req.url ?? ''}`))
  })

  get origin(): string {
    return this.loopback?.origin ?? ''
  }
  async start(): Promise<void> {
    this.loopback = await listenOnLoopback(this.server)
  }
  /** Resolves once a request for `path` has reached this upstream. */
  expect(path: string): Promise<void> {
    let seen = this.arrived.get(path)
    if (seen === undefined) {
      seen = new Promise<void>((resolve) => this.arrivals.set(path, resolve))
      this.arrived.set(path, seen)
    }
    return seen
  }
  open(): void {
    this.release()
  }
  async close(): Promise<void> {
    this.release()
    await this.loopback?.close()
  }
}

/** A YAML block scalar holding `pem`, indented for a `value:` key four levels deep. */
function block(pem: string): string {
  return `|\n${pem.trimEnd().split('\n').map((l) => `        ${l}`).join('\n')}\n`
}

type Source = { value: string } | { fromEnv: string }
function sourceYaml(s: Source): string {
  return 'value' in s ? `\n      value: ${block(s.value)}` : ` { fromEnv: ${s.fromEnv} }\n`
}

/** An alpha file with both bind addresses, the two upstreams, and a provider that no test signs in with. */
function alphaFile(name: string, ports: { http: number; https: number }, cert: Source, key: Source): string {
  const file = join(dir, name)
  writeFileSync(file, `upstreamConfig:
  upstreams:
    - id: hold
      path: /hold/
      uri: \${HOLD_URL}
    - id: app
      path: /
      uri: \${ECHO_URL}
server:
  bindAddress: 127.0.0.1:${ports.http}
  secureBindAddress: https://127.0.0.1:${ports.https}
  tls:
    cert:${sourceYaml(cert)}    key:${sourceYaml(key)}providers:
  - id: idp
    provider: oidc
    clientID: app
    clientSecret: s3cret
    oidcConfig:
      issuerURL: http://127.0.0.1:9/
`)
  return file
}

/** A request on a connection of its own; HTTPS trusts `ca` only. */
async function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  const dispatcher = new Agent({ connect: { ca }, pipelining: 0 })
  try {
    const res = await request(url, { dispatcher })
    return { status: res.statusCode, body: await res.body.text() }
  } finally {
    await dispatcher.close()
  }
}

/** The certificate the HTTPS listener presents to a new connection, and the protocol ALPN chose. */
function handshake(port: number, ca: string): Promise<{ fingerprint: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      resolve({ fingerprint: socket.getPeerX509Certificate()?.fingerprint256 ?? '', alpn: socket.alpnProtocol ?? false })
      socket.end()
    })
    socket.once('error', reject)
  })
}

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256

/** Both listeners answer: the same upstream seen over HTTP and over HTTPS. */
async function assertBothAnswer(ports: { http: number; https: number }): Promise<void> {
  const plain = await get(`http://127.0.0.1:${ports.http}/who`, FIRST.cert)
  assert.equal(plain.status, 200, plain.body)
  assert.equal((JSON.parse(plain.body) as EchoReply).headers['x-forwarded-proto'], 'http')
  const secure = await get(`https://127.0.0.1:${ports.https}/who`, FIRST.cert)
  assert.equal(secure.status, 200, secure.body)
  assert.equal((JSON.parse(secure.body) as EchoReply).headers['x-forwarded-proto'], 'https')
}

/** SIGTERM with one request held in flight on each listener: both finish, then the process exits 0. */
async function assertDrainsBoth(proxy: Gatehouse, hold: HoldingUpstream, ports: { http: number; https: number }): Promise<void> {
  const plain = get(`http://127.0.0.1:${ports.http}/hold/plain`, FIRST.cert)
  const secure = get(`https://127.0.0.1:${ports.https}/hold/secure`, FIRST.cert)
  await within(Promise.all([hold.expect('/hold/plain'), hold.expect('/hold/secure')]), 10_000, 'both held requests reaching the upstream')
  const exited = proxy.stop('SIGTERM')
  await proxy.waitForLog('"event":"server.stopping"')
  hold.open()
  assert.deepEqual(await within(plain, 10_000, 'the HTTP request'), { status: 200, body: 'done /hold/plain' })
  assert.deepEqual(await within(secure, 10_000, 'the HTTPS request'), { status: 200, body: 'done /hold/secure' })
  assert.equal(await exited, 0, proxy.logs())
}

describe('alpha server.bindAddress with server.secureBindAddress, cert and key as value', () => {
  let echo: EchoApp
  let hold: HoldingUpstream
  let proxy: Gatehouse
  let ports: { http: number; https: number }
  let file: string

  before(async () => {
    hold = new HoldingUpstream()
    const [e, http, https] = await Promise.all([startEchoApp(), freePort(), freePort(), hold.start()])
    echo = e
    ports = { http, https }
    file = alphaFile('value.yaml', ports, { value: FIRST.cert }, { value: FIRST.key })
    proxy = await startGatehouse({ args: [...CORE, `--alpha-config=${file}`], url: `https://127.0.0.1:${https}`, env: { ECHO_URL: echo.url, HOLD_URL: hold.origin } })
  })
  after(async () => {
    await Promise.allSettled([proxy?.stop(), echo?.close(), hold?.close()])
  })

  it('answers plain HTTP and HTTPS from the same process, and logs each listener', async () => {
    await assertBothAnswer(ports)
    const listening = proxy.logs().split('\n').filter((l) => l.includes('"event":"server.listening"'))
    assert.equal(listening.length, 2, proxy.logs())
    assert.match(listening[0] ?? '', new RegExp(`"address":"127\\.0\\.0\\.1:${ports.http}","tls":false`))
    assert.match(listening[1] ?? '', new RegExp(`"address":"127\\.0\\.0\\.1:${ports.https}","tls":true`))
  })

  it('offers HTTP/2 on the TLS listener only', async () => {
    const { fingerprint, alpn } = await handshake(ports.https, FIRST.cert)
    assert.equal(fingerprint, fingerprintOf(FIRST.cert))
    assert.equal(alpn, 'h2')
  })

  it('takes a new certificate for new connections after a reload, keeping both listeners', async () => {
    alphaFile('value.yaml', ports, { value: RENEWED.cert }, { value: RENEWED.key })
    const [line] = await sighup(proxy)
    assert.equal(line?.outcome, 'ok', JSON.stringify(line))
    const { fingerprint } = await handshake(ports.https, RENEWED.cert)
    assert.equal(fingerprint, fingerprintOf(RENEWED.cert))
    const plain = await get(`http://127.0.0.1:${ports.http}/who`, RENEWED.cert)
    assert.equal(plain.status, 200)
    // Back to the first certificate, which the drain below trusts.
    alphaFile('value.yaml', ports, { value: FIRST.cert }, { value: FIRST.key })
    assert.equal((await sighup(proxy))[0]?.outcome, 'ok')
  })

  it('on SIGTERM finishes the request in flight on each listener, then exits 0', async () => {
    await assertDrainsBoth(proxy, hold, ports)
    await assert.rejects(get(`http://127.0.0.1:${ports.http}/ping`, FIRST.cert), 'the HTTP listener is closed')
  })
})

describe('alpha server with both listeners under --workers 2, cert and key fromEnv', () => {
  let echo: EchoApp
  let hold: HoldingUpstream
  let proxy: Gatehouse
  let ports: { http: number; https: number }

  before(async () => {
    hold = new HoldingUpstream()
    const [e, http, https] = await Promise.all([startEchoApp(), freePort(), freePort(), hold.start()])
    echo = e
    ports = { http, https }
    const file = alphaFile('env.yaml', ports, { fromEnv: 'TLS_CERT' }, { fromEnv: 'TLS_KEY' })
    proxy = await startGatehouse({
      args: [...CORE, `--alpha-config=${file}`, '--workers=2'],
      url: `http://127.0.0.1:${http}`,
      env: { ECHO_URL: echo.url, HOLD_URL: hold.origin, TLS_CERT: FIRST.cert, TLS_KEY: FIRST.key },
    })
    // Every worker opens both listeners before the primary counts it as listening.
    const workersListening = (): number => proxy.logs().split('\n').filter((l) => l.includes('"event":"cluster.worker.listening"')).length
    for (let i = 0; i < 300 && workersListening() < 2; i++) await new Promise((r) => setTimeout(r, 50))
    assert.equal(workersListening(), 2, proxy.logs())
  })
  after(async () => {
    await Promise.allSettled([proxy?.stop(), echo?.close(), hold?.close()])
  })

  it('answers plain HTTP and HTTPS', async () => {
    await assertBothAnswer(ports)
    assert.equal(proxy.logs().split('\n').filter((l) => l.includes('"event":"server.listening"')).length, 4, 'two listeners in each of two workers')
  })

  it('on SIGTERM every worker finishes its request in flight, on each listener, and the primary exits 0', async () => {
    await assertDrainsBoth(proxy, hold, ports)
  })
})

describe('alpha server.tls sources that do not hold a certificate', () => {
  it('refuses to start, naming each field path at once', async () => {
    const file = alphaFile('bad.yaml', { http: 9, https: 9 }, { fromEnv: 'UNSET_TLS_CERT' }, { value: 'not a key' })
    const run = await runGatehouse({ args: [...CORE, `--alpha-config=${file}`], env: { ECHO_URL: 'http://127.0.0.1:9', HOLD_URL: 'http://127.0.0.1:9' } })
    assert.equal(run.code, 1, run.logs)
    assert.match(run.logs, /server\.tls\.cert\.fromEnv: the environment variable UNSET_TLS_CERT is not set: it must hold the PEM certificate/)
    assert.match(run.logs, /server\.tls\.key\.value: the value is not PEM/)
    assert.doesNotMatch(run.logs, /not a key/, 'the key is never echoed')
  })
})
