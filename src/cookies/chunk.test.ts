import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import fc from 'fast-check'
import { chunkName, joinCookie, MAX_COOKIE_LENGTH, splitCookie } from './chunk.js'

const attrs = 'Path=/; Domain=example.com; Max-Age=604800; HttpOnly; Secure; SameSite=Lax'
const setCookie = (name: string, value: string) => `${name}=${value}; ${attrs}`
/** A value whose Set-Cookie string is exactly `total` bytes long under `name`. */
const valueFor = (name: string, total: number) => 'v'.repeat(total - setCookie(name, '').length)

describe('splitCookie', () => {
  it('keeps a cookie of exactly 4000 bytes whole', () => {
    const value = valueFor('_oauth2_proxy', 4000)
    assert.equal(setCookie('_oauth2_proxy', value).length, 4000)
    assert.deepEqual(splitCookie('_oauth2_proxy', value, attrs), [{ name: '_oauth2_proxy', value }])
  })

  it('splits at 4001 bytes into _0 and _1, each Set-Cookie string at most 4000 bytes', () => {
    const value = valueFor('_oauth2_proxy', 4001)
    const parts = splitCookie('_oauth2_proxy', value, attrs)
    assert.deepEqual(parts.map((p) => p.name), ['_oauth2_proxy_0', '_oauth2_proxy_1'])
    assert.equal(setCookie(parts[0]!.name, parts[0]!.value).length, 4000)
    assert.equal(parts[1]!.value.length, 3)
    assert.equal(parts.map((p) => p.value).join(''), value)
  })

  it('fills each chunk to the limit', () => {
    const value = Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(65 + (i % 26))).join('')
    const parts = splitCookie('c', value, attrs)
    assert.equal(parts.length, 3)
    for (const p of parts.slice(0, -1)) assert.equal(setCookie(p.name, p.value).length, MAX_COOKIE_LENGTH)
    assert.equal(parts.map((p) => p.value).join(''), value)
  })

  it('counts a cookie without attributes correctly', () => {
    const value = 'x'.repeat(4000 - 2)
    assert.equal(splitCookie('c', value, '').length, 1)
    const parts = splitCookie('c', `${value}x`, '')
    assert.deepEqual(parts.map((p) => [p.name, p.value.length]), [['c_0', 3996], ['c_1', 3]])
  })

  it('cuts long names so that chunk names are at most 256 characters', () => {
    const name = 'n'.repeat(256)
    assert.equal(chunkName(name, 0), `${'n'.repeat(254)}_0`)
    assert.equal(chunkName(name, 12), `${'n'.repeat(253)}_12`)
    assert.equal(chunkName('short', 3), 'short_3')
    const parts = splitCookie(name, 'v'.repeat(5000), attrs)
    for (const p of parts) assert.ok(p.name.length <= 256 && setCookie(p.name, p.value).length <= MAX_COOKIE_LENGTH)
  })

  it('fails loudly when the attributes alone pass the limit', () => {
    assert.throws(() => splitCookie('c', 'v'.repeat(10), `Path=/${'p'.repeat(4000)}`), { code: 'ERR_INTERNAL' })
  })
})

describe('joinCookie', () => {
  it('prefers the plain name', () => {
    assert.equal(joinCookie('c', { c: 'whole', c_0: 'a', c_1: 'b' }), 'whole')
    assert.equal(joinCookie('c', { c: '' }), '')
  })

  it('joins _0, _1, … up to the first gap, from a Map or a record', () => {
    assert.equal(joinCookie('c', { c_0: 'a', c_1: 'b', c_3: 'd' }), 'ab')
    assert.equal(joinCookie('c', new Map([['c_1', 'b'], ['c_0', 'a'], ['c_2', 'c']])), 'abc')
    assert.equal(joinCookie('c', { c_1: 'b' }), undefined)
    assert.equal(joinCookie('c', {}), undefined)
    assert.equal(joinCookie('toString', {}), undefined)
  })

  it('joins what splitCookie split (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,300}$/), fc.stringMatching(/^[A-Za-z0-9|=_-]{0,20000}$/), (name, value) => {
        const parts = splitCookie(name, value, attrs)
        for (const p of parts) assert.ok(setCookie(p.name, p.value).length <= MAX_COOKIE_LENGTH)
        assert.equal(joinCookie(name, Object.fromEntries(parts.map((p) => [p.name, p.value]))), value)
      }),
      { numRuns: 300 },
    )
  })
})
