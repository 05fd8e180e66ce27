import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { DEFAULT_CLAIMS, sessionFromBearerClaims } from './bearer-sessions.js'

describe('sessionFromBearerClaims', () => {
  const claims = { sub: 'svc-7', email: 'svc-7@example.com', name: 'Build Robot', org: { team: 'ci', tags: ['a', 'b'] }, exp: 2_000_000_000 }

  it('keeps the additionalClaims it is given, dotted paths included, as their JSON values', () => {
    const session = sessionFromBearerClaims('t', claims, { ...DEFAULT_CLAIMS, additional: ['name', 'org.team', 'org.tags', 'missing'] })
    assert.ok(typeof session !== 'string')
    assert.deepEqual(session.additionalClaims, { name: 'Build Robot', 'org.team': 'ci', 'org.tags': ['a', 'b'] })
    assert.equal(session.user, 'svc-7')
  })

  it('keeps none without names, or when none of them is in the token', () => {
    const none = sessionFromBearerClaims('t', claims, DEFAULT_CLAIMS)
    const absent = sessionFromBearerClaims('t', claims, { ...DEFAULT_CLAIMS, additional: ['missing'] })
    assert.ok(typeof none !== 'string' && typeof absent !== 'string')
    assert.equal(none.additionalClaims, undefined)
    assert.equal(absent.additionalClaims, undefined)
  })
})
