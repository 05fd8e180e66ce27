import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createGapSigner } from './gap-signature.js'

describe('GAP-Signature', () => {
  it("gives oauth2-proxy's own test vector (pkg/upstream/http_test.go, \"with a signature\")", () => {
    const sign = createGapSigner('sha256:key')
    assert.equal(sign({ method: 'GET', target: '/withSignature', headers: ['GAP-Auth', ''], body: Buffer.alloc(0) }), 'sha256 osMWI8Rr0Zr5HgNq6wakrgJITVJQMmFN1fXCesrqrmM=')
  })

  it('changes with the body, a signed header, the decoded path and the query, not with unsigned headers', () => {
    const sign = createGapSigner('sha1:secret')
    const base = { method: 'POST', target: '/a%2Fb?x=1', headers: ['Content-Type', 'text/plain', 'X-Other', '1'], body: Buffer.from('hi') }
    const signature = sign(base)
    assert.match(signature, /^sha1 [A-Za-z0-9+/]{27}=$/)
    assert.equal(sign({ ...base, headers: ['content-type', 'text/plain'] }), signature, 'names are case-insensitive; X-Other is not signed')
    assert.equal(sign({ ...base, target: '/a/b?x=1' }), signature, 'the path is signed decoded, as Go holds URL.Path')
    assert.notEqual(sign({ ...base, body: Buffer.from('ho') }), signature)
    assert.notEqual(sign({ ...base, target: '/a%2Fb?x=2' }), signature)
    assert.notEqual(sign({ ...base, headers: ['Content-Type', 'text/html'] }), signature)
  })
})
