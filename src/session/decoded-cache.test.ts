import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createDecodedSessionCache } from './decoded-cache.js'

const entry = (user: string) => ({ session: { user }, issuedAt: 1, key: user })

describe('decoded session cache', () => {
  it('never holds more than its capacity and evicts the oldest first', () => {
    const cache = createDecodedSessionCache(4)
    for (let i = 0; i < 10; i++) cache.set(`v${i}`, entry(`u${i}`))
    assert.equal(cache.size, 4)
    assert.equal(cache.get('v5'), undefined)
    assert.equal(cache.get('v6')?.session.user, 'u6')
    assert.equal(cache.get('v9')?.session.user, 'u9')
  })

  it('keeps an entry that is read while many others come and go', () => {
    const cache = createDecodedSessionCache(8)
    cache.set('busy', entry('busy'))
    for (let i = 0; i < 1000; i++) {
      cache.set(`v${i}`, entry(`u${i}`))
      assert.equal(cache.get('busy')?.session.user, 'busy', `lost after ${i} inserts`)
    }
    assert.equal(cache.size, 8)
  })

  it('forgets a deleted value', () => {
    const cache = createDecodedSessionCache(4)
    cache.set('a', entry('a'))
    cache.delete('a')
    assert.equal(cache.get('a'), undefined)
    assert.equal(cache.size, 0)
  })

  it('answers only the exact value: a forged cookie carrying a real signature is a miss and evicts nothing', () => {
    const cache = createDecodedSessionCache(4)
    const signature = 'S'.repeat(43)
    const real = `${'a'.repeat(1200)}|1796541689|${signature}`
    const forged = `${'b'.repeat(1200)}|1796541689|${signature}`
    cache.set(real, entry('real'))
    assert.equal(cache.get(forged), undefined)
    cache.delete(forged)
    assert.equal(cache.get(real)?.session.user, 'real')
    assert.equal(cache.size, 1)
  })
})
