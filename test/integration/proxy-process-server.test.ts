// The server side of the real process: --proxy-prefix moving every endpoint (with a real sign-in), the probes,
// file:// and static:// upstreams, X-Forwarded-* and Host towards the upstream, a unix socket listener, and HTTPS
// with a certificate made at test time (openssl), --tls-min-version=TLS1.3 and --tls-cipher-suite.
// (Oversized headers → 431 through the process: test/security/request-smuggling.test.ts.)
import { strict as assert } from 'node:assert'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { request } from 'undici'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { freePort, REPO_ROOT } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** A gatehouse process on a listener startGatehouse cannot ping (unix socket, HTTPS): ready once it logs so. */
interface Started {
  proc: ChildProcess
  logs(): string
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

async function startListening(args: string[]): Promise<Started> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OAUTH2_PROXY_') && !k.startsWith('NODE_TEST')))
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'dist/main.js'), ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
  const closed = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)))
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
    const code = await closed
    clearTimeout(timer)
    return code
  }
  const deadline = Date.now() + 10_000
  while (!out.includes('"event":"server.listening"')) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`gatehouse did not start listening:\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  return { proc, logs: () => out, stop }
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  protocol?: string | null
}

/** One request over a unix socket or HTTPS (node:http/https, a fresh connection). */
function call(options: { socketPath?: string; https?: { port: number; ca: Buffer; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }; path: string; host?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const common = { path: options.path, agent: false as const, headers: options.host === undefined ? {} : { host: options.host } }
    const onResponse = (res: import('node:http').IncomingMessage): void => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, protocol: (res.socket as TLSSocket).getProtocol?.() }))
      res.on('error', reject)
    }
    const req = options.https === undefined
      ? httpRequest({ ...common, socketPath: options.socketPath }, onResponse)
      : httpsRequest({ ...common, host: '127.0.0.1', port: options.https.port, ca: options.https.ca, maxVersion: options.https.maxVersion ?? 'TLSv1.3' }, onResponse)
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${options.path}`)))
    req.on('error', reject)
    req.end()
  })
}

const baseArgs = (issuer: string, upstreams: string[]): string[] => [
  '--provider=oidc',
  `--oidc-issuer-url=${issuer}`,
  '--client-id=gatehouse',
  '--client-secret=gatehouse-secret',
  `--cookie-secret=${randomBytes(32).toString('base64url')}`,
  '--email-domain=*',
  '--skip-auth-route=.*',
  ...upstreams.map((u) => `--upstream=${u}`),
]

describe('--proxy-prefix, probes, file upstream and forwarded headers (signed in through the dev IdP)', () => {
  let stack: Stack
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-files-'))
    await mkdir(join(dir, 'docs'))
    await writeFile(join(dir, 'hello.txt'), 'hello from a file upstream\n')
    await writeFile(join(dir, 'docs', 'index.html'), '<h1>docs index</h1>')
    stack = await startStack({
      replaceArgs: (defaults) => defaults.map((a) => (a.startsWith('--redirect-url=') ? a.replace('/oauth2/callback', '/auth2/callback') : a)),
      // The old prefix is a public upstream path now: a request there must reach the echo app, not an endpoint.
      args: ['--proxy-prefix=/auth2', `--upstream=file://${dir}#/static/`, '--skip-auth-route=^/oauth2/'],
    })
  })
  after(async () => {
    await stack?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('moves sign-in, callback, auth, userinfo and sign-out under /auth2', async () => {
    const url = stack.proxy.url
    const anonymous = stack.client()
    const signInPage = await anonymous.get(`${url}/auth2/sign_in?rd=/app`)
    assert.equal(signInPage.status, 200)
    assert.match(signInPage.body, /action="\/auth2\/start"/)
    assert.equal((await anonymous.get(`${url}/auth2/auth`)).status, 401)

    const { client, result } = await stack.signIn('alice', '/app?x=1')
    assert.equal(result.finalUrl, `${url}/app?x=1`)
    const visited = result.steps.map((s) => new URL(s.url).pathname)
    assert.ok(visited.includes('/auth2/callback'), visited.join(' '))
    assert.ok(!visited.some((p) => p.startsWith('/oauth2/')), visited.join(' '))

    assert.equal((await client.get(`${url}/auth2/auth`)).status, 202)
    const me = await client.get(`${url}/auth2/userinfo`)
    assert.equal(me.status, 200)
    assert.equal(me.json<{ email: string }>().email, 'alice@example.com')
    // /oauth2/* is an ordinary path now, proxied to the app.
    for (const path of ['/oauth2/userinfo', '/oauth2/sign_in', '/oauth2/start']) {
      const res = await client.get(`${url}${path}`)
      assert.equal(res.status, 200, path)
      assert.equal(res.json<EchoReply>().path, path)
    }
    const out = await client.get(`${url}/auth2/sign_out?rd=/bye`)
    assert.equal(out.status, 302)
    assert.equal(out.location, `${url}/bye`)
    assert.equal((await client.get(`${url}/auth2/userinfo`)).status, 401)
  })

  it('answers /ping, /ready and /robots.txt before authentication, outside the prefix', async () => {
    const client = stack.client()
    for (const [path, body] of [['/ping', 'OK'], ['/ready', 'OK'], ['/robots.txt', 'User-agent: *\nDisallow: /\n']] as const) {
      const res = await client.get(`${stack.proxy.url}${path}`)
      assert.equal(res.status, 200, path)
      assert.equal(res.body.trimEnd(), body.trimEnd(), path)
    }
  })

  it('serves a file:///dir#/static/ upstream to a signed-in user only', async () => {
    const url = stack.proxy.url
    const anonymous = await stack.client().get(`${url}/static/hello.txt`)
    assert.notEqual(anonymous.status, 200)
    assert.doesNotMatch(anonymous.body, /hello from a file upstream/)
    const { client } = await stack.signIn('bob', '/')
    const file = await client.get(`${url}/static/hello.txt`)
    assert.equal(file.status, 200)
    assert.equal(file.body, 'hello from a file upstream\n')
    const index = await client.get(`${url}/static/docs/`)
    assert.equal(index.status, 200)
    assert.equal(index.body, '<h1>docs index</h1>')
    assert.equal((await client.get(`${url}/static/missing.txt`)).status, 404)
  })

  it('sets X-Forwarded-For (appending the peer), -Proto and -Host, and passes the client Host by default', async () => {
    const { client } = await stack.signIn('alice', '/')
    const res = await client.get(`${stack.proxy.url}/who`, { headers: { 'x-forwarded-for': '203.0.113.7' } })
    const seen = res.json<EchoReply>()
    const host = new URL(stack.proxy.url).host
    assert.equal(seen.headers.host, host)
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1')
    assert.equal(seen.headers['x-forwarded-proto'], 'http')
    assert.equal(seen.headers['x-forwarded-host'], host)
  })
})

describe('--http-address=unix:/path with a static://202 upstream', () => {
  let dir: string
  let socket: string
  let proxy: Started

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-sock-'))
    socket = join(dir, 'gatehouse.sock')
    proxy = await startListening([...baseArgs(`http://127.0.0.1:${await freePort()}/`, ['static://202']), `--http-address=unix:${socket}`])
  })
  after(async () => {
    await proxy?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('serves /ping and the static answer on the socket', async () => {
    assert.ok(existsSync(socket))
    const ping = await call({ socketPath: socket, path: '/ping', host: 'app.local' })
    assert.deepEqual([ping.status, ping.body], [200, 'OK'])
    for (const path of ['/', '/any/path?q=1']) {
      const res = await call({ socketPath: socket, path, host: 'app.local' })
      assert.deepEqual([res.status, res.body], [202, 'Authenticated'], path)
    }
  })

  it('drains and exits 0 on SIGINT, removing the socket file', async () => {
    assert.equal(await proxy.stop('SIGINT'), 0, proxy.logs())
    assert.match(proxy.logs(), /"event":"server.stopping","signal":"SIGINT"/)
    assert.equal(existsSync(socket), false)
  })
})

describe('--https-address with --tls-cert-file, --tls-key-file and --tls-min-version=TLS1.3', { skip: hasOpenssl ? false : 'openssl is not installed' }, () => {
  let dir: string
  let ca: Buffer
  let echo: EchoApp
  let httpsPort: number
  let httpPort: number
  let proxy: Started

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-tls-'))
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')]
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' })
    ca = await readFile(cert)
    ;[echo, httpsPort, httpPort] = await Promise.all([startEchoApp(), freePort(), freePort()])
    proxy = await startListening([
      ...baseArgs(`http://127.0.0.1:${httpPort}/`, [`${echo.url}/`]),
      `--https-address=127.0.0.1:${httpsPort}`,
      `--http-address=127.0.0.1:${httpPort}`,
      `--tls-cert-file=${cert}`,
      `--tls-key-file=${key}`,
      '--tls-min-version=TLS1.3',
      '--pass-host-header=false',
    ])
  })
  after(async () => {
    await proxy?.stop()
    await echo?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('serves HTTPS with TLS 1.3 and refuses a TLS 1.2-only client', async () => {
    const ping = await call({ https: { port: httpsPort, ca }, path: '/ping' })
    assert.deepEqual([ping.status, ping.body, ping.protocol], [200, 'OK', 'TLSv1.3'])
    await assert.rejects(call({ https: { port: httpsPort, ca, maxVersion: 'TLSv1.2' }, path: '/ping' }), /protocol version|alert|handshake/i)
  })

  it('runs only the HTTPS listener once a certificate is set, as oauth2-proxy', async () => {
    await assert.rejects(request(`http://127.0.0.1:${httpPort}/ping`), /ECONNREFUSED/)
    assert.equal(proxy.proc.exitCode, null)
  })

  it('sends the upstream its own Host with --pass-host-header=false, and X-Forwarded-Proto https', async () => {
    const res = await call({ https: { port: httpsPort, ca }, path: '/who' })
    assert.equal(res.status, 200)
    const seen = JSON.parse(res.body) as EchoReply
    assert.equal(seen.headers.host, new URL(echo.url).host)
    assert.equal(seen.headers['x-forwarded-proto'], 'https')
    assert.equal(seen.headers['x-forwarded-host'], `127.0.0.1:${httpsPort}`)
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1')
  })
})

describe('--tls-cipher-suite: Go suite names offered through OpenSSL', { skip: hasOpenssl ? false : 'openssl is not installed' }, () => {
  let dir: string
  let ca: Buffer
  let port: number
  let proxy: Started

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-ciphers-'))
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')]
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' })
    ca = await readFile(cert)
    port = await freePort()
    proxy = await startListening([
      ...baseArgs('http://127.0.0.1:9/', ['static://200']),
      `--https-address=127.0.0.1:${port}`,
      `--tls-cert-file=${cert}`,
      `--tls-key-file=${key}`,
      '--tls-cipher-suite=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    ])
  })
  after(async () => {
    await proxy?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  /** A TLS 1.2 handshake offering only `cipher` (OpenSSL name): the suite agreed, or the handshake error. */
  function handshake(cipher: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca, maxVersion: 'TLSv1.2', ciphers: cipher }, () => {
        const name = socket.getCipher().standardName
        socket.end()
        resolve(name)
      })
      socket.setTimeout(10_000, () => socket.destroy(new Error('no handshake')))
      socket.on('error', reject)
    })
  }

  it('agrees on a listed suite and refuses a TLS 1.2 client offering only unlisted ones', async () => {
    assert.equal(await handshake('ECDHE-RSA-AES128-GCM-SHA256'), 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')
    assert.equal(await handshake('ECDHE-RSA-AES256-SHA'), 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA')
    await assert.rejects(handshake('ECDHE-RSA-AES256-GCM-SHA384'), /handshake failure|alert|no shared cipher/i)
    await assert.rejects(handshake('AES128-GCM-SHA256'), /handshake failure|alert|no shared cipher/i)
  })

  it('still offers every TLS 1.3 suite, as Go does', async () => {
    const ping = await call({ https: { port, ca }, path: '/ping' })
    assert.deepEqual([ping.status, ping.protocol], [200, 'TLSv1.3'])
  })

  it('refuses to start with a suite name Go does not know, or one OpenSSL no longer has, naming it', async () => {
    await assert.rejects(
      startListening([...baseArgs('http://127.0.0.1:9/', ['static://200']), '--tls-cipher-suite=TLS_RSA_WITH_RC4_64_SHA,TLS_ECDHE_RSA_WITH_RC4_128_SHA']),
      (err: Error) => /--tls-cipher-suite="TLS_RSA_WITH_RC4_64_SHA": unknown TLS cipher suite name/.test(err.message) && /"TLS_ECDHE_RSA_WITH_RC4_128_SHA": this suite has no equivalent/.test(err.message),
    )
  })
})
