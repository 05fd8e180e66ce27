// The forwarder in front of the echo app through a bare node:http server: request line, bodies,
// headers both ways, Host rules, routing and static upstreams.
import { strict as assert } from 'node:assert'
import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { headerValues, send, startEchoApp, startMiniProxy, type EchoApp, type MiniProxy } from '../helpers/echo.js'

let echo: EchoApp
let proxy: MiniProxy

before(async () => {
  echo = await startEchoApp()
  proxy = await startMiniProxy({
    upstreams: [`${echo.url}/`, `${echo.url}/only/`, `${echo.url}/exact`],
    extra: { responseHeaders: { 'Set-Cookie': ['gatehouse=refreshed; Path=/'], 'X-Auth-Request-User': 'alice' } },
  })
})
after(async () => {
  await proxy.close()
  await echo.close()
})

describe('upstream forwarding: request line and body', () => {
  it('sends the request target byte for byte: %2F kept, repeated query arguments kept in order', async () => {
    const res = await send(proxy.url, '/files/a%2Fb%20c?tag=1&tag=2&x=%2F&empty=')
    assert.equal(res.status, 200)
    const echoed = res.json()
    assert.equal(echoed.path, '/files/a%2Fb%20c')
    assert.equal(echoed.rawQuery, 'tag=1&tag=2&x=%2F&empty=')
    assert.deepEqual(echoed.query, { tag: ['1', '2'], x: '/', empty: '' })
  })

  it('does not prepend the upstream URL path (oauth2-proxy sends the original URI)', async () => {
    const res = await send(proxy.url, '/only/thing')
    assert.equal(res.json().path, '/only/thing')
  })

  it('passes a POST body and its method through', async () => {
    const res = await send(proxy.url, '/form', { method: 'POST', body: 'a=1&b=2', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
    const echoed = res.json()
    assert.equal(echoed.method, 'POST')
    assert.equal(echoed.body, 'a=1&b=2')
    assert.equal(echoed.headers['content-type'], 'application/x-www-form-urlencoded')
    assert.equal(echoed.headers['content-length'], '7')
  })

  it('streams a 1 MiB body intact, with and without Content-Length', async () => {
    const body = randomBytes(1024 * 1024)
    const sha = createHash('sha256').update(body).digest('hex')
    const fixed = await send(proxy.url, '/upload', { method: 'PUT', body })
    assert.deepEqual(fixed.json(), { bytes: body.length, sha256: sha })
    const chunked = await send(proxy.url, '/upload', { method: 'POST', body, headers: { 'Transfer-Encoding': 'chunked' } })
    assert.deepEqual(chunked.json(), { bytes: body.length, sha256: sha })
  })

  it('accepts `Expect: 100-continue` uploads (as curl sends) without passing Expect upstream', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 'e')
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(`${proxy.url}/upload`, { method: 'POST', headers: { Expect: '100-continue', 'Content-Length': body.length } }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve(text))
      })
      req.on('continue', () => req.end(body))
      req.on('error', reject)
    })
    assert.deepEqual(JSON.parse(answer), { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') })
  })

  it('streams a 1 MiB response intact', async () => {
    const res = await send(proxy.url, '/bytes?n=1048576')
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-length'], '1048576')
    assert.equal(res.body.length, 1048576)
  })

  it('answers HEAD without a body but with the upstream length', async () => {
    const res = await send(proxy.url, '/bytes?n=5000', { method: 'HEAD' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-length'], '5000')
    assert.equal(res.body.length, 0)
  })

  it('relays upstream statuses, 204 and 304 included', async () => {
    for (const code of [201, 204, 304, 404, 418, 503]) {
      const res = await send(proxy.url, `/status/${code}`)
      assert.equal(res.status, code)
    }
  })
})

describe('upstream forwarding: request headers', () => {
  it('drops hop-by-hop headers and the ones Connection lists; keeps the rest', async () => {
    const res = await send(proxy.url, '/', {
      headers: { Connection: 'keep-alive, X-Hop', 'X-Hop': 'secret', 'Keep-Alive': 'timeout=5', 'Proxy-Connection': 'x', 'Proxy-Authorization': 'Basic eA==', Upgrade: 'h2c', TE: 'gzip', 'X-Kept': 'yes' },
    })
    const names = res.json().rawHeaders.map(([name]) => name.toLowerCase())
    for (const dropped of ['x-hop', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'upgrade', 'te']) assert.ok(!names.includes(dropped), dropped)
    assert.equal(res.json().headers['x-kept'], 'yes')
  })

  it('keeps `TE: trailers` only', async () => {
    const res = await send(proxy.url, '/', { headers: { TE: 'trailers, deflate' } })
    assert.equal(res.json().headers.te, 'trailers')
  })

  it('appends the peer to X-Forwarded-For, or starts it', async () => {
    const fresh = await send(proxy.url, '/')
    assert.equal(fresh.json().headers['x-forwarded-for'], '127.0.0.1')
    const chained = await send(proxy.url, '/', { headers: { 'X-Forwarded-For': ['203.0.113.7', '198.51.100.1'] } })
    assert.equal(chained.json().headers['x-forwarded-for'], '203.0.113.7, 198.51.100.1, 127.0.0.1')
  })

  it('sets X-Forwarded-Proto and X-Forwarded-Host when absent and keeps the client values otherwise', async () => {
    const absent = (await send(proxy.url, '/', { host: 'app.example.com' })).json()
    assert.equal(absent.headers['x-forwarded-proto'], 'http')
    assert.equal(absent.headers['x-forwarded-host'], 'app.example.com')
    const given = (await send(proxy.url, '/', { host: 'app.example.com', headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'edge.example.com' } })).json()
    assert.equal(given.headers['x-forwarded-proto'], 'https')
    assert.equal(given.headers['x-forwarded-host'], 'edge.example.com')
  })

  it('sends the client Host by default', async () => {
    const res = await send(proxy.url, '/', { host: 'app.example.com:8443' })
    assert.equal(res.json().headers.host, 'app.example.com:8443')
  })

  it('sends the upstream host when pass_host_header is off', async () => {
    const other = await startMiniProxy({ upstreams: [`${echo.url}/`], forward: { passHostHeader: false } })
    try {
      const res = await send(other.url, '/', { host: 'app.example.com' })
      assert.equal(res.json().headers.host, new URL(echo.url).host)
      assert.equal(res.json().headers['x-forwarded-host'], 'app.example.com')
    } finally {
      await other.close()
    }
  })

  it('removes then sets headers from the caller, case-insensitively, and lets the caller own X-Forwarded-For', async () => {
    const other = await startMiniProxy({
      upstreams: [`${echo.url}/`],
      extra: { removeHeaders: ['x-auth-request-email', 'X-SPOOF', 'x-forwarded-proto'], setHeaders: { 'X-Auth-Request-User': 'alice', 'X-Forwarded-For': '10.0.0.1' } },
    })
    try {
      const res = await send(other.url, '/', {
        headers: { 'X-Auth-Request-Email': 'evil@example.com', 'x-auth-request-user': 'mallory', 'X-Spoof': '1', 'X-Forwarded-Proto': 'https' },
      })
      const echoed = res.json()
      assert.equal(echoed.headers['x-auth-request-email'], undefined)
      assert.equal(echoed.headers['x-spoof'], undefined)
      assert.equal(echoed.headers['x-auth-request-user'], 'alice', 'a set header replaces every client value')
      assert.equal(echoed.headers['x-forwarded-for'], '10.0.0.1')
      assert.equal(echoed.headers['x-forwarded-proto'], 'http', 'a removed X-Forwarded-Proto is recomputed from the connection')
    } finally {
      await other.close()
    }
  })

  it('forwards the client Cookie header unchanged (oauth2-proxy issue #388 behaviour)', async () => {
    const res = await send(proxy.url, '/', { headers: { Cookie: '_oauth2_proxy=abc; theme=dark' } })
    assert.equal(res.json().headers.cookie, '_oauth2_proxy=abc; theme=dark')
  })
})

describe('upstream forwarding: response headers', () => {
  it('keeps every upstream Set-Cookie and appends the caller cookies and headers', async () => {
    const res = await send(proxy.url, '/set-cookie')
    assert.deepEqual(headerValues(res, 'set-cookie'), ['echo_a=1; Path=/', 'echo_b=2; Path=/; HttpOnly', 'gatehouse=refreshed; Path=/'])
    assert.deepEqual(headerValues(res, 'x-auth-request-user'), ['alice'])
  })

  it('drops hop-by-hop response headers and the ones Connection lists; keeps duplicates', async () => {
    const res = await send(proxy.url, '/response-headers?Connection=X-Hop&X-Hop=1&Proxy-Connection=x&Proxy-Authenticate=Basic&X-Multi=a&X-Multi=b')
    assert.equal(res.status, 200)
    assert.deepEqual(headerValues(res, 'x-hop'), [])
    assert.deepEqual(headerValues(res, 'proxy-connection'), [])
    assert.deepEqual(headerValues(res, 'proxy-authenticate'), [])
    assert.notEqual(headerValues(res, 'connection')[0], 'X-Hop')
    assert.deepEqual(headerValues(res, 'x-multi'), ['a', 'b'])
  })

  it('relays trailers of a chunked answer', async () => {
    const res = await send(proxy.url, '/trailers', { headers: { TE: 'trailers' } })
    assert.equal(res.status, 200)
    assert.equal(res.trailers['x-echo-sha256'], createHash('sha256').update(res.body).digest('hex'))
  })
})

describe('upstream routing', () => {
  it('routes by longest path and answers 404 when nothing matches', async () => {
    const table = await startMiniProxy({ upstreams: [`${echo.url}/api/`, `${echo.url}/api/v2/`, `${echo.url}/exact`] })
    try {
      assert.equal((await send(table.url, '/api/v2/x')).json().path, '/api/v2/x')
      assert.equal((await send(table.url, '/exact')).status, 200)
      assert.equal((await send(table.url, '/exact/below')).status, 404)
      assert.equal((await send(table.url, '/nothing')).status, 404)
    } finally {
      await table.close()
    }
  })

  it('redirects /api to /api/ with 301 and keeps the query', async () => {
    const table = await startMiniProxy({ upstreams: [`${echo.url}/api/`] })
    try {
      const res = await send(table.url, '/api?q=1')
      assert.equal(res.status, 301)
      assert.equal(res.headers.location, '/api/?q=1')
    } finally {
      await table.close()
    }
  })

  it('answers static:// upstreams with their code and `Authenticated`, for every path and method', async () => {
    const table = await startMiniProxy({ upstreams: ['static://202'], extra: { responseHeaders: { 'X-Auth-Request-User': 'alice' } } })
    try {
      for (const [method, path] of [['GET', '/'], ['POST', '/deep/path?x=1']] as const) {
        const res = await send(table.url, path, { method, body: method === 'POST' ? 'x' : undefined })
        assert.equal(res.status, 202)
        assert.equal(res.text, 'Authenticated')
        assert.equal(res.headers['x-auth-request-user'], 'alice')
      }
      const head = await send(table.url, '/', { method: 'HEAD' })
      assert.equal(head.status, 202)
      assert.equal(head.body.length, 0)
    } finally {
      await table.close()
    }
  })
})
