import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { relayedHeaders } from './relay.js'

const raw = (...fields: string[]): Buffer[] => fields.map((f) => Buffer.from(f, 'latin1'))

describe('relayedHeaders', () => {
  it('lower-cases names, keeps order and duplicates, drops hop-by-hop headers and appends the caller\'s', () => {
    const out = relayedHeaders(raw('Content-Type', 'text/plain', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'), { 'X-Auth': 'me', 'Set-Cookie': ['c=3'] }, false)
    assert.deepEqual(out.headers, ['content-type', 'text/plain', 'set-cookie', 'a=1', 'set-cookie', 'b=2', 'X-Auth', 'me', 'Set-Cookie', 'c=3'])
    assert.equal(out.flush, false)
    assert.equal(out.trailers, false)
  })

  it('drops the headers the Connection header lists, with their values', () => {
    const out = relayedHeaders(raw('X-Hop', '1', 'Connection', 'close, X-Hop', 'X-Keep', '2'), {}, false)
    assert.deepEqual(out.headers, ['x-keep', '2'])
  })

  it('reads values byte for byte (latin1), so non-ASCII bytes are relayed unchanged', () => {
    const out = relayedHeaders([Buffer.from('X-Name'), Buffer.from('José', 'utf8')], {}, false)
    assert.deepEqual(Buffer.from(out.headers[1] as string, 'latin1'), Buffer.from('José', 'utf8'))
  })

  it('re-announces trailers on a chunked answer only', () => {
    assert.deepEqual(relayedHeaders(raw('Trailer', 'X-Sum', 'Transfer-Encoding', 'chunked'), {}, false), { headers: ['trailer', 'X-Sum'], flush: false, trailers: true })
    assert.deepEqual(relayedHeaders(raw('Trailer', 'X-Sum', 'Content-Length', '3'), {}, false), { headers: ['content-length', '3'], flush: false, trailers: false })
  })

  it('flushes event streams and gRPC answers at once', () => {
    assert.equal(relayedHeaders(raw('Content-Type', 'Text/Event-Stream'), {}, false).flush, true)
    assert.equal(relayedHeaders(raw('Content-Type', 'application/grpc+proto'), {}, false).flush, true)
  })

  it('moves a gRPC trailers-only status into trailers for an HTTP/2 client, and leaves it for HTTP/1.1', () => {
    const fields = raw('content-type', 'application/grpc', 'grpc-status', '3', 'grpc-message', 'bad')
    const h2 = relayedHeaders(fields, {}, true)
    assert.deepEqual(h2.headers, ['content-type', 'application/grpc'])
    assert.deepEqual(h2.movedTrailers, [['grpc-status', '3'], ['grpc-message', 'bad']])
    assert.equal(relayedHeaders(fields, {}, false).movedTrailers, undefined)
  })
})
