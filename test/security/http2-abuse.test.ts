// HTTP/2 abuse against the real process on its TLS listener, with a raw-frame client (test/helpers/h2-raw.ts) that
// sends what node:http2 would refuse to: rapid reset floods (CVE-2023-44487), header blocks past
// SETTINGS_MAX_HEADER_LIST_SIZE and HPACK bombs, CONTINUATION floods (CVE-2024-27316 class), and more streams than
// SETTINGS_MAX_CONCURRENT_STREAMS. Each attack must be refused, cost bounded memory, and leave the process serving.
import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type ServerResponse } from 'node:http'
import * as http2 from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Agent, request } from 'undici'
import { startDevIdp, type DevIdp } from '../../src/dev/idp.js'
import { describeSeen, FLAG, frame, FRAME, H2_ERROR, headers, indexed, literal, literalIndexed, openH2, type H2Raw, requestBlock, rstStream } from '../helpers/h2-raw.js'
import { listenOnLoopback, type LoopbackServer } from '../helpers/loopback-server.js'
import { freePort, startGatehouse, type Gatehouse } from '../helpers/process.js'
import { selfSignedCert } from '../helpers/self-signed.js'

/** Resident memory the proxy may reach during any attack: a few times its idle size, far below what an unbounded one reaches. */
const RSS_BOUND_MB = 400
/** The advertised SETTINGS_MAX_CONCURRENT_STREAMS (src/http/h2-server.ts). */
const MAX_STREAMS = 128

let dir: string
let idp: DevIdp
let upstream: LoopbackServer
let proxy: Gatehouse
let authority: string
/** Requests the upstream received, by path. */
const received = new Map<string, number>()
/** Responses the upstream holds open (`/open/hold`), ended when the test file ends. */
const held = new Set<ServerResponse>()

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-h2abuse-'))
  const { certPath, keyPath } = selfSignedCert(dir)
  const app = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    received.set(path, (received.get(path) ?? 0) + 1)
    if (path === '/open/hold') {
      held.add(res)
      res.once('close', () => held.delete(res))
      return
    }
    req.resume()
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
  })
  ;[idp, upstream] = await Promise.all([startDevIdp({
    clients: [{ clientId: 'gatehouse', clientSecret: 'gatehouse-secret', authMethod: 'client_secret_basic', redirectUris: ['https://127.0.0.1:*/**'] }],
  }), listenOnLoopback(app)])
  const port = await freePort()
  authority = `127.0.0.1:${port}`
  proxy = await startGatehouse({
    args: [
      '--provider=oidc', `--oidc-issuer-url=${idp.issuer}`, '--client-id=gatehouse', '--client-secret=gatehouse-secret',
      '--cookie-secret=0123456789abcdef0123456789abcdef', '--email-domain=*', `--upstream=${upstream.origin}/`,
      '--skip-auth-route=^/open/', `--tls-cert-file=${certPath}`, `--tls-key-file=${keyPath}`,
      `--https-address=${authority}`, `--redirect-url=https://${authority}/oauth2/callback`,
    ],
  })
})

after(async () => {
  for (const res of held) res.destroy()
  await Promise.allSettled([proxy?.stop(), upstream?.close(), idp?.close()])
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

/** The proxy's resident memory in MB, from /proc/<pid>/status. */
function rssMb(): number {
  const status = readFileSync(`/proc/${proxy.proc.pid ?? 0}/status`, 'utf8')
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1])
  assert.ok(Number.isFinite(kb), 'VmRSS is readable')
  return kb / 1024
}

async function assertUpAndBounded(what: string): Promise<void> {
  assert.equal(proxy.proc.exitCode, null, `${what}: the process exited:\n${proxy.logs().slice(-2000)}`)
  assert.equal(proxy.proc.signalCode, null, `${what}: the process was killed`)
  const mb = rssMb()
  assert.ok(mb < RSS_BOUND_MB, `${what}: resident memory ${mb.toFixed(0)} MB is past ${RSS_BOUND_MB} MB`)
  // A fresh connection is served at once: the attack took only its own connection down.
  assert.equal(await h2Get('/open/alive'), 200, `${what}: a normal HTTP/2 request after the attack`)
}

/** A normal HTTP/2 GET with node:http2; resolves with the status. */
function h2Get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://${authority}`, { rejectUnauthorized: false })
    session.once('error', reject)
    const req = session.request({ ':path': path })
    req.once('response', (h) => {
      req.resume()
      req.once('end', () => {
        session.close()
        resolve(Number(h[':status']))
      })
    })
    req.once('error', reject)
    req.end()
  })
}

/** Writes `frames` in batches of `batch`, stopping once the server has closed or sent GOAWAY. */
async function writeUntilRefused(conn: H2Raw, frames: Buffer[], batch: number): Promise<number> {
  let written = 0
  for (let i = 0; i < frames.length && !conn.seen.closed && conn.seen.goaway === undefined; i += batch) {
    await conn.write(...frames.slice(i, i + batch))
    written = Math.min(frames.length, i + batch)
  }
  return written
}

/** Sends a header block on stream 1 and expects a refusal (RST_STREAM, 431, GOAWAY or close) that never reaches the upstream. */
async function assertHeaderBlockRefused(conn: H2Raw, frames: Buffer[], path: string, what: string): Promise<void> {
  await conn.write(...frames)
  const seen = await conn.until((s) => s.resets.has(1) || s.statuses.has(1) || s.goaway !== undefined)
  conn.close()
  const refused = seen.resets.has(1) || seen.statuses.get(1) === 431 || seen.goaway !== undefined || seen.closed
  assert.ok(refused && seen.statuses.get(1) !== 200, `${what}: ${describeSeen(seen)}`)
  assert.equal(received.get(path), undefined, `${what}: the request reached the upstream`)
  await assertUpAndBounded(what)
}

describe('HTTP/2 abuse on the TLS listener', () => {
  it('rapid reset (CVE-2023-44487): 5,000 streams opened and reset end with GOAWAY, few reach the upstream', async () => {
    const conn = await openH2(proxy.port)
    await conn.until((s) => s.settings > 0)
    const frames: Buffer[] = []
    for (let n = 0; n < 5_000; n += 1) {
      const id = 1 + 2 * n
      frames.push(headers(id, requestBlock(authority, '/open/reset')), rstStream(id, H2_ERROR.CANCEL))
    }
    await writeUntilRefused(conn, frames, 200)
    const seen = await conn.until((s) => s.goaway !== undefined, 30_000)
    conn.close()
    assert.ok(seen.goaway !== undefined || seen.closed, describeSeen(seen))
    if (seen.goaway !== undefined) {
      assert.equal(seen.goaway.code, H2_ERROR.ENHANCE_YOUR_CALM, describeSeen(seen))
      // The last stream the server processed: it stopped well before the 5,000th.
      assert.ok(seen.goaway.lastStreamId < 2 * 1_000, describeSeen(seen))
    }
    await proxy.waitForLog('http2.reset.flood')
    await assertUpAndBounded('rapid reset')
    // The guard allows 200 resets a second; what nghttp2 had read past that in the same socket read is bounded too.
    const reached = received.get('/open/reset') ?? 0
    const processed = seen.goaway === undefined ? 1_000 : (seen.goaway.lastStreamId + 1) / 2
    assert.ok(reached <= processed, `${reached} of 5,000 reset requests reached the upstream (${processed} processed)`)
  })

  it('a header block over SETTINGS_MAX_HEADER_LIST_SIZE, split in HEADERS + CONTINUATION, is refused', async () => {
    const conn = await openH2(proxy.port)
    await conn.until((s) => s.settings > 0)
    // 16 fields of 4 KiB: 64 KiB decoded, past the 19 KiB list size; each frame stays under the 16 KiB frame size.
    const big = Array.from({ length: 16 }, (_, i) => literal(`x-big-${i}`, 'b'.repeat(4096)))
    const chunks = [requestBlock(authority, '/open/big'), ...big]
    const frames = chunks.map((block, i) =>
      frame(i === 0 ? FRAME.HEADERS : FRAME.CONTINUATION, (i === 0 ? FLAG.END_STREAM : 0) | (i === chunks.length - 1 ? FLAG.END_HEADERS : 0), 1, block))
    await assertHeaderBlockRefused(conn, frames, '/open/big', 'oversized header block')
  })

  it('an HPACK bomb (one 4 KiB field indexed, then referenced 4,000 times) is refused', async () => {
    const conn = await openH2(proxy.port)
    await conn.until((s) => s.settings > 0)
    // About 8 KiB on the wire that decode to 16 MB of headers (RFC 7541 §7.3).
    const block = Buffer.concat([requestBlock(authority, '/open/bomb'), literalIndexed('x-bomb', 'a'.repeat(4000)), ...Array.from({ length: 4_000 }, () => indexed(62))])
    await assertHeaderBlockRefused(conn, [headers(1, block)], '/open/bomb', 'HPACK bomb')
  })

  it('a CONTINUATION flood (CVE-2024-27316 class: 20,000 frames, never END_HEADERS) ends the connection', async () => {
    const conn = await openH2(proxy.port)
    await conn.until((s) => s.settings > 0)
    const frames = [frame(FRAME.HEADERS, FLAG.END_STREAM, 1, requestBlock(authority, '/open/flood'))]
    for (let n = 0; n < 20_000; n += 1) frames.push(frame(FRAME.CONTINUATION, 0, 1, literal('x-c', String(n % 10))))
    const written = await writeUntilRefused(conn, frames, 500)
    const seen = await conn.until((s) => s.goaway !== undefined || s.resets.has(1), 30_000)
    conn.close()
    assert.ok(seen.goaway !== undefined || seen.resets.has(1) || seen.closed, describeSeen(seen))
    assert.ok(written < frames.length || seen.goaway !== undefined, `all frames were read and nothing was refused: ${describeSeen(seen)}`)
    assert.equal(received.get('/open/flood'), undefined, 'the unfinished header block reached the upstream')
    await assertUpAndBounded('CONTINUATION flood')
  })

  it(`streams past SETTINGS_MAX_CONCURRENT_STREAMS (${MAX_STREAMS}) are refused, at most ${MAX_STREAMS} reach the upstream`, async () => {
    const conn = await openH2(proxy.port)
    await conn.until((s) => s.settings > 0 && s.settingsAcks > 0)
    // Complete requests to an upstream that holds them: every stream stays open until the test ends.
    const total = MAX_STREAMS + 72
    const frames = Array.from({ length: total }, (_, n) => headers(1 + 2 * n, requestBlock(authority, '/open/hold')))
    await conn.write(...frames)
    // RFC 9113 §5.1.2 allows REFUSED_STREAM or PROTOCOL_ERROR on the extra streams; nghttp2 (since its rapid reset
    // fixes) treats the excess as a connection error, and Node then closes the whole connection.
    const extra = (s: typeof conn.seen): number => [...s.resets.keys()].filter((id) => id > 2 * MAX_STREAMS).length
    const seen = await conn.until((s) => extra(s) === total - MAX_STREAMS || s.goaway !== undefined, 30_000)
    conn.close()
    assert.ok(extra(seen) === total - MAX_STREAMS || seen.goaway !== undefined || seen.closed, describeSeen(seen))
    for (const [id, code] of seen.resets) {
      if (id > 2 * MAX_STREAMS) assert.ok(code === H2_ERROR.REFUSED_STREAM || code === H2_ERROR.PROTOCOL_ERROR, `stream ${id}: 0x${code.toString(16)}`)
    }
    assert.deepEqual([...seen.statuses.keys()].filter((id) => id > 2 * MAX_STREAMS), [], 'a stream past the limit was answered')
    const reached = received.get('/open/hold') ?? 0
    assert.ok(reached <= MAX_STREAMS, `${reached} held requests reached the upstream`)
    await assertUpAndBounded('too many streams')
  })

  it('after every attack, normal HTTP/2 and HTTP/1.1 requests are served', async () => {
    assert.equal(await h2Get('/open/final'), 200)
    const agent = new Agent({ connect: { rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] } })
    try {
      const res = await request(`https://${authority}/open/final`, { dispatcher: agent })
      assert.equal(res.statusCode, 200)
      assert.equal(await res.body.text(), 'ok')
    } finally {
      await agent.close()
    }
    assert.equal(received.get('/open/final'), 2)
  })
})
