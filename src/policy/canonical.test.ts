import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { canonicalHost, canonicalize, canonicalPath, upstreamTarget } from './canonical.js'

const req = (uri: string, host = 'app.example.com', method = 'get') => canonicalize({ method, host, uri, clientIp: '10.0.0.1' })

describe('canonical request', () => {
  it('decodes, resolves dot segments and merges slashes; keeps case, the trailing slash and the raw query', () => {
    assert.deepEqual(canonicalPath('/a/./b/../c//d/?x=%2F#frag'), { path: '/a/c/d/', query: 'x=%2F' })
    assert.deepEqual(canonicalPath('/%41dmin/%2e%2e/%2E/x'), { path: '/x', query: '' })
    assert.deepEqual(canonicalPath('/Admin'), { path: '/Admin', query: '' })
    assert.deepEqual(canonicalPath('/../../etc'), { path: '/etc', query: '' })
    assert.deepEqual(canonicalPath('/caf%C3%A9'), { path: '/café', query: '' })
  })

  it('refuses the ambiguous forms a bypass hides behind', () => {
    const refusals: [string, string][] = [
      ['/admin%2Fsecret', 'encoded-separator'],
      ['/admin%2fsecret', 'encoded-separator'],
      ['/admin%5Csecret', 'backslash'],
      ['/admin\\secret', 'backslash'],
      ['/admin;x=1/secret', 'semicolon'],
      ['/admin%3B/secret', 'semicolon'],
      ['/admin%00', 'control-character'],
      ['/a b', 'control-character'],
      ['/a%zz', 'malformed-escape'],
      ['/a%', 'malformed-escape'],
      ['/a%C3', 'malformed-escape'],
      ['admin', 'not-origin-form'],
      ['http://evil/admin', 'not-origin-form'],
      ['*', 'not-origin-form'],
    ]
    for (const [uri, refusal] of refusals) assert.deepEqual(req(uri), { ok: false, refusal }, uri)
  })

  it('reads the host without case, port or trailing dot, and refuses what is not a host', () => {
    assert.equal(canonicalHost('App.Example.COM.:8443'), 'app.example.com')
    assert.equal(canonicalHost('[::1]:80'), '[::1]')
    assert.equal(canonicalHost(''), '')
    for (const bad of ['a..b', 'a.com..', 'a/b', 'a.com:x', 'a@b', '[::1', 'a.com:80:80']) assert.equal(canonicalHost(bad), undefined, bad)
    assert.deepEqual(req('/', 'x', 'g e t'), { ok: false, refusal: 'bad-method' })
    const ok = req('/', 'HOST.example.', 'post')
    assert.ok(ok.ok && ok.request.host === 'host.example' && ok.request.method === 'POST')
  })

  it('property: normalization is idempotent, and the path sent upstream reads back as the path matched', () => {
    const segment = fc.constantFrom('a', 'B', '.', '..', '', '%2e', '%2E%2e', '%41', 'caf%C3%A9', '%25', '%3F', '%23', 'x y', '~', '%2f', '%5c', ';p', 'é')
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), fc.constantFrom('', '?q=1', '?a=%2F&b', '#f'), (segments, tail) => {
        const uri = `/${segments.join('/')}${tail}`
        const first = req(uri)
        if (!first.ok) return
        const sent = upstreamTarget(first.request)
        const again = req(sent)
        assert.ok(again.ok, `upstream target ${sent} must stay canonical`)
        assert.equal(again.request.path, first.request.path, `matching and proxying see one path for ${uri}`)
        assert.equal(upstreamTarget(again.request), sent, 'idempotent')
      }),
      { numRuns: 2000 },
    )
  })
})
