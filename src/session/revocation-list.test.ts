import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createJtiMemory, createRevocationList } from './revocation-list.js'
import { entryOf } from './revocation.js'

const T0 = Date.UTC(2026, 0, 1)
const H = 3_600_000

describe('revocation list', () => {
  it('merges entries for the same sid or sub (the later before and until win) and lists only those in force', () => {
    const list = createRevocationList()
    list.add({ sub: 'bob', before: T0 + H, until: T0 + 2 * H })
    // An older entry arriving late (from another worker or replica) keeps the newer one's times.
    list.add({ sub: 'bob', before: T0, until: T0 + H })
    list.add({ sid: 's1', until: T0 + H })
    assert.equal(list.covers({ user: 'bob', signedInAt: new Date(T0 + H - 1) }, T0 + H + 1), true, 'the later before and until')
    assert.equal(list.covers({ user: 'bob', signedInAt: new Date(T0 + H + 1) }, T0), false, 'signed in after the revocation')
    assert.equal(list.covers({ user: 'bob' }, T0), true, 'no sign-in time: covered')
    assert.equal(list.covers({ user: 'alice', sid: 's1' }, T0), true)
    assert.deepEqual(list.entries(T0 + H + 1), [{ sub: 'bob', before: T0 + H, until: T0 + 2 * H }])
    assert.deepEqual(list.entries(T0 + 2 * H), [])
  })

  it('remembers a jti once until its time is over', () => {
    let now = T0
    const jtis = createJtiMemory(() => now)
    assert.equal(jtis.seen('j'), false)
    assert.equal(jtis.remember('j', 1000), true)
    assert.equal(jtis.remember('j', 1000), false)
    assert.equal(jtis.seen('j'), true)
    now += 1000
    assert.equal(jtis.seen('j'), false)
    assert.equal(jtis.remember('j', 1000), true)
  })

  it('keeps an entry for the cookie lifetime, or for ever when cookies have no age limit (--cookie-expire=0)', () => {
    assert.deepEqual(entryOf({ sid: 's' }, T0, H), { sid: 's', until: T0 + H })
    assert.deepEqual(entryOf({ sub: 'bob', before: T0 }, T0, 0), { sub: 'bob', before: T0, until: Number.MAX_SAFE_INTEGER })
  })
})
