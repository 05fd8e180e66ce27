// Streaming through the forwarder: server-sent events arrive one by one, WebSockets are tunnelled,
// and 1 GiB each way passes with the process's memory bounded.
import { strict as assert } from 'node:assert'
import { request } from 'node:http'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { WebSocket } from 'ws'
import { startEchoApp, startMiniProxy, type EchoApp, type MiniProxy } from '../helpers/echo.js'

const GiB = 1024 ** 3
const MAX_RSS_GROWTH = 200 * 1024 * 1024

let echo: EchoApp
let proxy: MiniProxy

before(async () => {
  echo = await startEchoApp()
  proxy = await startMiniProxy({ upstreams: [`${echo.url}/`] })
})
after(async () => {
  await proxy.close()
  await echo.close()
})

/** Samples the process RSS until stopped and reports the largest growth over the starting value. */
function watchRss(): { stop(): number } {
  const start = process.memoryUsage.rss()
  let peak = start
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 50)
  return {
    stop() {
      clearInterval(timer)
      peak = Math.max(peak, process.memoryUsage.rss())
      return peak - start
    },
  }
}

describe('upstream streaming', () => {
  it('delivers each server-sent event as it is produced, not at the end of the stream', async () => {
    const chunks = await new Promise<string[]>((resolve, reject) => {
      const seen: string[] = []
      const req = request(`${proxy.url}/sse?count=3&intervalMs=250`, (res) => {
        assert.equal(res.statusCode, 200)
        assert.match(String(res.headers['content-type']), /^text\/event-stream/)
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => seen.push(chunk))
        res.on('end', () => resolve(seen))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
    const events = chunks.join('').split('\n\n').filter((e) => e !== '')
    assert.deepEqual(events, ['id: 0\ndata: {"n":0}', 'id: 1\ndata: {"n":1}', 'id: 2\ndata: {"n":2}'])
    // A buffering proxy hands the client all three events in one read; a streaming one, one per read.
    assert.equal(chunks[0], 'id: 0\ndata: {"n":0}\n\n', 'the first read holds exactly the first event')
    assert.ok(chunks.length >= 3, `events arrived in ${chunks.length} reads`)
  })

  it('tunnels a WebSocket and echoes text and binary frames', async () => {
    const ws = new WebSocket(`${proxy.url.replace('http:', 'ws:')}/ws`)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const next = (): Promise<{ data: Buffer; isBinary: boolean }> =>
      new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })))
    const text = next()
    ws.send('hello through the proxy')
    assert.deepEqual(await text, { data: Buffer.from('hello through the proxy'), isBinary: false })
    const binary = next()
    const payload = Buffer.from([0, 1, 2, 254, 255])
    ws.send(payload)
    assert.deepEqual(await binary, { data: payload, isBinary: true })
    for (let i = 0; i < 50; i++) {
      const reply = next()
      ws.send(`message ${i}`)
      assert.equal((await reply).data.toString(), `message ${i}`)
    }
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve())
      ws.close()
    })
  })

  it('relays an upstream refusal of the upgrade', async () => {
    const ws = new WebSocket(`${proxy.url.replace('http:', 'ws:')}/not-a-socket`)
    const status = await new Promise<number | undefined>((resolve) => {
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode)
        res.resume()
      })
      ws.once('error', () => resolve(undefined))
    })
    assert.equal(status, 404)
  })

  it('answers an upgrade as a plain request when WebSockets are not proxied', async () => {
    const plain = await startMiniProxy({ upstreams: [`${echo.url}/`], forward: { proxyWebSockets: false } })
    try {
      const ws = new WebSocket(`${plain.url.replace('http:', 'ws:')}/ws`)
      const result = await new Promise<{ status: number | undefined; body: string }>((resolve) => {
        ws.once('unexpected-response', (_req, res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => (body += c))
          res.on('end', () => resolve({ status: res.statusCode, body }))
        })
        ws.once('error', () => resolve({ status: undefined, body: '' }))
      })
      assert.equal(result.status, 200)
      const echoed = JSON.parse(result.body) as { headers: Record<string, string> }
      assert.equal(echoed.headers.upgrade, undefined, 'Upgrade is hop-by-hop and never reaches the upstream')
    } finally {
      await plain.close()
    }
  })

  it('answers an upgrade to a static upstream with its static response', async () => {
    const fixed = await startMiniProxy({ upstreams: ['static://202'] })
    try {
      const ws = new WebSocket(`${fixed.url.replace('http:', 'ws:')}/anything`)
      const result = await new Promise<{ status: number | undefined; body: string }>((resolve) => {
        ws.once('unexpected-response', (_req, res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => (body += c))
          res.on('end', () => resolve({ status: res.statusCode, body }))
        })
        ws.once('error', () => resolve({ status: undefined, body: '' }))
      })
      assert.deepEqual(result, { status: 202, body: 'Authenticated' })
    } finally {
      await fixed.close()
    }
  })

  it('streams a 1 GiB download with bounded memory', async () => {
    const rss = watchRss()
    const received = await new Promise<number>((resolve, reject) => {
      const req = request(`${proxy.url}/bytes?n=${GiB}`, (res) => {
        assert.equal(res.statusCode, 200)
        assert.equal(res.headers['content-length'], String(GiB))
        let n = 0
        res.on('data', (chunk: Buffer) => (n += chunk.length))
        res.on('end', () => resolve(n))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
    const growth = rss.stop()
    assert.equal(received, GiB)
    assert.ok(growth < MAX_RSS_GROWTH, `RSS grew by ${Math.round(growth / 2 ** 20)} MiB`)
  })

  it('streams a 1 GiB upload with bounded memory', async () => {
    const chunk = Buffer.alloc(256 * 1024, 'u')
    let left = GiB
    const source = new Readable({
      read() {
        if (left === 0) {
          this.push(null)
          return
        }
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
        left -= part.length
        this.push(part)
      },
    })
    const rss = watchRss()
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(`${proxy.url}/upload`, { method: 'POST', headers: { 'Content-Length': String(GiB) } }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve(body))
        res.on('error', reject)
      })
      req.on('error', reject)
      source.pipe(req)
    })
    const growth = rss.stop()
    assert.equal((JSON.parse(answer) as { bytes: number }).bytes, GiB)
    assert.ok(growth < MAX_RSS_GROWTH, `RSS grew by ${Math.round(growth / 2 ** 20)} MiB`)
  })
})
