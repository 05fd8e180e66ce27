import { describe, it } from 'node:test'
import { strict as assert } from 'node:assert'
import { safeEqual } from './equal.js'
import { randomBytes, randomHex, randomToken } from './random.js'

describe('safeEqual', () => {
  it('compares strings and buffers by content', () => {
    assert.equal(safeEqual('abc', 'abc'), true)
    assert.equal(safeEqual('abc', 'abd'), false)
    assert.equal(safeEqual(Buffer.from('abc'), 'abc'), true)
    assert.equal(safeEqual('é', Buffer.from('é')), true)
  })

  it('returns false for different lengths, including a prefix', () => {
    assert.equal(safeEqual('abc', 'abcd'), false)
    assert.equal(safeEqual('', 'a'), false)
    assert.equal(safeEqual(Buffer.alloc(0), Buffer.alloc(0)), true)
  })
})

describe('random helpers', () => {
  it('give the requested sizes in the requested alphabets', () => {
    assert.equal(randomBytes(16).length, 16)
    assert.match(randomToken(32), /^[A-Za-z0-9_-]{43}$/)
    assert.match(randomHex(16), /^[0-9a-f]{32}$/)
    assert.notEqual(randomToken(), randomToken())
  })
})
