// The echo app on its own: the JSON it answers, its helper routes and the demo landing page.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { headerValues, send, startEchoApp, type EchoApp } from '../helpers/echo.js'

let echo: EchoApp

before(async () => {
  echo = await startEchoApp()
})
after(async () => {
  await echo.close()
})

describe('echo app', () => {
  it('listens on 127.0.0.1 with an OS-chosen port', () => {
    assert.match(echo.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.ok(echo.port > 0)
  })

  it('echoes method, raw path, query (repeated keys as arrays), headers and body facts', async () => {
    const res = await send(echo.url, '/p%2Fq?a=1&a=2&b=x', { method: 'PATCH', body: 'héllo', headers: { 'X-Test': 'yes' } })
    const reply = res.json()
    assert.equal(reply.method, 'PATCH')
    assert.equal(reply.path, '/p%2Fq')
    assert.equal(reply.rawQuery, 'a=1&a=2&b=x')
    assert.deepEqual(reply.query, { a: ['1', '2'], b: 'x' })
    assert.equal(reply.headers['x-test'], 'yes')
    assert.deepEqual(reply.rawHeaders.find(([name]) => name === 'X-Test'), ['X-Test', 'yes'])
    assert.equal(reply.body, 'héllo')
    assert.equal(reply.bodyBytes, 6)
    assert.equal(reply.bodySha256, createHash('sha256').update('héllo', 'utf8').digest('hex'))
  })

  it('keeps only the first 64 KiB of a large body but counts and hashes all of it', async () => {
    const body = Buffer.alloc(100 * 1024, 'z')
    const reply = (await send(echo.url, '/big', { method: 'POST', body })).json()
    assert.equal(reply.body.length, 64 * 1024)
    assert.equal(reply.bodyBytes, 100 * 1024)
  })

  it('has helper routes: status, set-cookie, bytes, upload, slow, sse', async () => {
    assert.equal((await send(echo.url, '/status/418')).status, 418)
    assert.equal((await send(echo.url, '/status/204')).status, 204)
    assert.equal((await send(echo.url, '/status/700')).status, 400)
    assert.equal((await send(echo.url, '/status/150')).status, 400)
    assert.equal((await send(echo.url, '/status/2000')).json().path, '/status/2000', 'not a status route: echoed')
    assert.deepEqual(headerValues(await send(echo.url, '/set-cookie'), 'set-cookie'), ['echo_a=1; Path=/', 'echo_b=2; Path=/; HttpOnly'])
    assert.equal((await send(echo.url, '/bytes?n=70000')).body.length, 70000)
    assert.equal((await send(echo.url, '/bytes?n=-1')).status, 400)
    assert.equal((await send(echo.url, `/bytes?n=${2 * 1024 ** 3 + 1}`)).status, 400)
    assert.deepEqual((await send(echo.url, '/upload', { method: 'POST', body: 'abc' })).json(), {
      bytes: 3,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    })
    assert.equal((await send(echo.url, '/slow?ms=10')).json().path, '/slow')
    assert.equal((await send(echo.url, '/sse?count=2&intervalMs=0')).text, 'id: 0\ndata: {"n":0}\n\nid: 1\ndata: {"n":1}\n\n')
  })

  it('shows browsers a page with identity and proxy headers first, escaped', async () => {
    const res = await send(echo.url, '/', {
      headers: {
        Accept: 'text/html,application/xhtml+xml',
        'X-Custom': '<script>alert(1)</script>',
        'X-Forwarded-For': '203.0.113.9',
        'X-Auth-Request-Email': 'alice@example.com',
      },
    })
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    const html = res.text
    assert.ok(html.includes('Signed in as <strong>alice@example.com</strong>'))
    assert.ok(!html.includes('<script>alert(1)</script>'))
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'))
    const order = ['X-Auth-Request-Email', 'X-Forwarded-For', 'X-Custom'].map((name) => html.indexOf(`<th>${name}</th>`))
    assert.ok(order.every((i) => i >= 0), String(order))
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'identity, then proxy, then other headers')
  })

  it('answers JSON at / for API clients', async () => {
    const res = await send(echo.url, '/', { headers: { Accept: 'application/json' } })
    assert.equal(res.headers['content-type'], 'application/json')
    assert.equal(res.json().path, '/')
  })
})
