// --signature-key through the real process: the upstream gets GAP-Auth and a GAP-Signature it can check as
// oauth2-proxy's hmacauth package does. The signature is recomputed here from what the echo app received, with
// node:crypto and the header list of oauth2-proxy's pkg/upstream/http.go, independently of gatehouse's signer.
import { strict as assert } from 'node:assert'
import { createHmac } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

const SIGNED = ['Content-Length', 'Content-Md5', 'Content-Type', 'Date', 'Authorization', 'X-Forwarded-User', 'X-Forwarded-Email', 'X-Forwarded-Preferred-User', 'X-Forwarded-Access-Token', 'Cookie', 'Gap-Auth']

/** hmacauth's RequestSignature over the request as the upstream received it. */
function expectedSignature(algorithm: string, key: string, echo: EchoReply): string {
  const lines = [echo.method]
  for (const name of SIGNED) lines.push(echo.rawHeaders.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v).join(','))
  lines.push(decodeURIComponent(echo.path) + (echo.rawQuery === '' ? '' : `?${echo.rawQuery}`))
  return `${algorithm} ${createHmac(algorithm, key).update(lines.join('\n') + '\n').update(echo.body).digest('base64')}`
}

describe('GAP-Signature (--signature-key)', () => {
  let stack: Stack
  let client: HttpClient

  before(async () => {
    stack = await startStack({ args: ['--signature-key=sha256:s3cret-signing-key', '--skip-auth-route=^/public'] })
    ;({ client } = await stack.signIn('alice'))
  })
  after(() => stack.close())

  it('signs a signed-in GET: the cookie, the identity headers and GAP-Auth', async () => {
    const echo = (await client.get(`${stack.proxy.url}/some%20path/x?b=2&a=1`, { headers: { Date: 'Mon, 01 Dec 2025 10:00:00 GMT' } })).json<EchoReply>()
    assert.equal(echo.headers['gap-auth'], 'alice@example.com')
    assert.ok(echo.headers['cookie'], 'the session cookie is part of what is signed')
    assert.equal(echo.headers['gap-signature'], expectedSignature('sha256', 's3cret-signing-key', echo))
  })

  it('signs a POST body with its Content-Length and Content-Type', async () => {
    const body = JSON.stringify({ hello: 'world', n: 42 })
    const r = await client.request('POST', `${stack.proxy.url}/api/items`, { body, headers: { 'content-type': 'application/json', 'content-md5': 'abc' } })
    const echo = r.json<EchoReply>()
    assert.equal(echo.body, body, 'the body still reaches the upstream whole')
    assert.equal(echo.headers['content-length'], String(body.length))
    assert.equal(echo.headers['gap-signature'], expectedSignature('sha256', 's3cret-signing-key', echo))
  })

  it('keeps a chunked body chunked, so the headers the upstream sees are the ones signed', async () => {
    const chunks = ['first,', 'second,', 'third']
    const r = await fetch(`${stack.proxy.url}/public/upload`, {
      method: 'PUT',
      body: new ReadableStream({ pull(controller) { const next = chunks.shift(); if (next === undefined) controller.close(); else controller.enqueue(new TextEncoder().encode(next)) } }),
      duplex: 'half',
    } as RequestInit)
    const echo = (await r.json()) as EchoReply
    assert.equal(echo.body, 'first,second,third')
    assert.equal(echo.headers['content-length'], undefined)
    assert.equal(echo.headers['transfer-encoding'], 'chunked')
    assert.equal(echo.headers['gap-auth'], undefined, 'no user on a skip-auth route without a session')
    assert.equal(echo.headers['gap-signature'], expectedSignature('sha256', 's3cret-signing-key', echo))
  })

  it("replaces a client's GAP-Auth and GAP-Signature", async () => {
    const echo = (await client.get(`${stack.proxy.url}/`, { headers: { 'GAP-Auth': 'admin@example.com', 'GAP-Signature': 'sha256 forged' } })).json<EchoReply>()
    assert.deepEqual(echo.rawHeaders.filter(([n]) => n.toLowerCase() === 'gap-auth').map(([, v]) => v), ['alice@example.com'])
    assert.deepEqual(echo.rawHeaders.filter(([n]) => n.toLowerCase() === 'gap-signature').length, 1)
    assert.equal(echo.headers['gap-signature'], expectedSignature('sha256', 's3cret-signing-key', echo))
  })
})
