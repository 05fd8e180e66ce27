import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { cleanPath, decodePath, encodePath } from './path.js'

describe('cleanPath', () => {
  it('resolves dot segments, merges slashes and keeps the trailing slash', () => {
    const cases: [string, string][] = [
      ['', '/'],
      ['/', '/'],
      ['//', '/'],
      ['/a//b', '/a/b'],
      ['/a/./b/', '/a/b/'],
      ['/a/../b', '/b'],
      ['/a/..', '/'],
      ['/../..', '/'],
      ['/a/b/../../../c/', '/c/'],
      ['a/b', '/a/b'],
      ['/a/.../b', '/a/.../b'],
    ]
    for (const [input, expected] of cases) assert.equal(cleanPath(input), expected, input)
  })

  it('is idempotent and never yields a dot segment or an empty segment', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '.', '..', '', 'b.c', '%'), { maxLength: 12 }), (parts) => {
        const once = cleanPath(`/${parts.join('/')}`)
        assert.equal(cleanPath(once), once)
        assert.ok(once.startsWith('/'))
        assert.ok(!/(^|\/)\.\.?(\/|$)/.test(once), once)
        assert.ok(!once.includes('//'), once)
      }),
    )
  })
})

describe('decodePath / encodePath', () => {
  it('decodes escapes and refuses malformed ones', () => {
    assert.equal(decodePath('/a%2Fb%20c'), '/a/b c')
    assert.equal(decodePath('/plain'), '/plain')
    assert.equal(decodePath('/bad%zz'), undefined)
    assert.equal(decodePath('/bad%e2%82'), undefined)
  })

  it('encodes like Go EscapedPath: reserved path characters kept, the rest escaped as UTF-8', () => {
    assert.equal(encodePath('/a b/ü?#\\'), '/a%20b/%C3%BC%3F%23%5C')
    assert.equal(encodePath("/$&+,:;=@-_.~!'()*"), "/$&+,:;=@-_.~%21%27%28%29%2A")
  })

  it('round-trips any decoded path', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const path = `/${s}`
        assert.equal(decodePath(encodePath(path)), path)
      }),
    )
  })
})
