import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { createLogger } from '../log/logger.js'
import type { BearerOutcome } from '../providers/bearer-sessions.js'
import { createBearerSessionLoader, findBearerJwt } from './bearer-jwt.js'
import { parseHtpasswd } from './htpasswd.js'

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'
const request = { log: createLogger({ level: 'silent' }), client: '127.0.0.1' }

describe('findBearerJwt', () => {
  it('finds the JWT where oauth2-proxy looks for it', () => {
    const basic = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`
    assert.deepEqual(findBearerJwt(`Bearer ${JWT}`), { token: JWT })
    assert.deepEqual(findBearerJwt(basic(`${JWT}:`)), { token: JWT })
    assert.deepEqual(findBearerJwt(basic(`${JWT}:x-oauth-basic`)), { token: JWT })
    assert.deepEqual(findBearerJwt(basic(`user:${JWT}`)), { token: JWT })
    for (const header of [`bearer ${JWT}`, `Bearer  ${JWT}`, `Bearer ${JWT}.x`, 'Bearer opaque', basic(`${JWT}:pw`), basic('user:pw')]) {
      assert.ok('problem' in findBearerJwt(header), header)
    }
  })
})

describe('bearer session loader', () => {
  it('reuses a verified session, never past its expiry, and verifies again after', async () => {
    let now = 1_000_000
    let calls = 0
    const verify = async (): Promise<BearerOutcome> => {
      calls += 1
      return { kind: 'session', session: { user: 'a', expiresOn: new Date(now + 5_000) } }
    }
    const load = createBearerSessionLoader({ verify, loginFallback: true, clock: () => now })
    assert.equal((await load(`Bearer ${JWT}`, request))?.user, 'a')
    now += 4_000
    await load(`Bearer ${JWT}`, request)
    assert.equal(calls, 1, 'cached within the token lifetime')
    now += 1_000
    await load(`Bearer ${JWT}`, request)
    assert.equal(calls, 2, 'verified again once the token would have expired')
  })

  it('ignores invalid tokens with the login fallback, refuses them with 403 without, and 502s an unreachable issuer', async () => {
    const invalid = async (): Promise<BearerOutcome> => ({ kind: 'invalid', reason: 'bad signature' })
    assert.equal(await createBearerSessionLoader({ verify: invalid, loginFallback: true, clock: Date.now })(`Bearer ${JWT}`, request), undefined)
    await assert.rejects(createBearerSessionLoader({ verify: invalid, loginFallback: false, clock: Date.now })(`Bearer ${JWT}`, request), { status: 403 })
    const down = async (): Promise<BearerOutcome> => ({ kind: 'unavailable', reason: 'timeout' })
    await assert.rejects(createBearerSessionLoader({ verify: down, loginFallback: true, clock: Date.now })(`Bearer ${JWT}`, request), { status: 502 })
  })
})

describe('Authorization header parsing', () => {
  it('never throws and only ever returns a JWT-shaped token, whatever the header', () => {
    const pieces = fc.constantFrom('Bearer ', 'Basic ', 'ey', '.', ':', '=', ' ', 'x-oauth-basic', JWT, Buffer.from(`${JWT}:`).toString('base64'))
    const header = fc.oneof(fc.string(), fc.array(pieces, { maxLength: 8 }).map((p) => p.join('')))
    fc.assert(
      fc.property(header, (h) => {
        const found = findBearerJwt(h)
        return 'problem' in found || /^ey[\w-]*\.ey[\w-]*\.[\w-]+$/.test(found.token)
      }),
      { seed: 7, numRuns: 2000 },
    )
    fc.assert(fc.property(fc.string(), (text) => typeof parseHtpasswd(text).ok === 'boolean'), { seed: 7, numRuns: 1000 })
  })
})
