import { strict as assert } from 'node:assert'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { ProxyError } from '../errors.js'
import { queryOnly, validateToken, type ValidateHeaders } from './validate-url.js'

const bearer: ValidateHeaders = (token) => ({ authorization: `Bearer ${token}` })

describe('validateToken: one rule for every provider', () => {
  let server: Server
  let base: string
  const seen: IncomingMessage[] = []
  before(async () => {
    // The path is the status to answer: /200, /401, /503 …
    server = createServer((req, res) => {
      seen.push(req)
      res.writeHead(Number(req.url?.split('?')[0]?.slice(1))).end('{"error":"x"}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const check = (path: string, headers: ValidateHeaders = queryOnly) => validateToken({ fetch, validateUrl: `${base}${path}`, accessToken: 'tok en', headers, provider: 'Test' })

  it('accepts a 200 only, with the token in the query or in the headers', async () => {
    assert.deepEqual(await check('/200?scope=a%20b'), { valid: true })
    assert.equal(seen.at(-1)?.url, '/200?scope=a%20b&access_token=tok+en', 'the configured query is kept as written')
    assert.deepEqual(await check('/200', bearer), { valid: true })
    assert.equal(seen.at(-1)?.url, '/200')
    assert.equal(seen.at(-1)?.headers.authorization, 'Bearer tok en')
    assert.deepEqual(await check('/204'), { valid: false, reason: 'the validate URL answered 204' })
  })

  it('refuses the token on another answer below 500', async () => {
    for (const status of [301, 400, 401, 403, 404]) assert.deepEqual(await check(`/${status}`), { valid: false, reason: `the validate URL answered ${status}` })
  })

  it('answers a 5xx or no answer with a 502 naming the call, never with the token', async () => {
    for (const status of [500, 503]) {
      await assert.rejects(check(`/${status}`), (err: unknown) => err instanceof ProxyError && err.status === 502 && err.message === `Test token validation (--validate-url) answered ${status}`)
    }
    await assert.rejects(
      validateToken({ fetch, validateUrl: 'http://127.0.0.1:1/x', accessToken: 'secret-token', headers: queryOnly, provider: 'Test' }),
      (err: unknown) => err instanceof ProxyError && err.status === 502 && !err.message.includes('secret-token'),
    )
  })

  it('calls nothing without a token or a validate URL', async () => {
    const before = seen.length
    assert.deepEqual(await validateToken({ fetch, validateUrl: `${base}/200`, accessToken: undefined, headers: queryOnly, provider: 'Test' }), { valid: false, reason: 'no access token' })
    assert.deepEqual(await validateToken({ fetch, validateUrl: '', accessToken: 't', headers: queryOnly, provider: 'Test' }), { valid: false, reason: 'no validate URL' })
    assert.equal(seen.length, before)
  })
})
