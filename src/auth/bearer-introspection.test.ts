import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ProxyError } from '../errors.js'
import { createLogger } from '../log/logger.js'
import type { BearerOutcome } from '../providers/bearer-sessions.js'
import { createIntrospectionSessionLoader } from './bearer-introspection.js'

const request = { log: createLogger({ level: 'silent' }), client: '127.0.0.1' }
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'

/** A loader over a provider answer that the test can change, counting the calls made. */
function harness(options: { ttlMs?: number; leaveJwts?: boolean } = {}) {
  const state = { now: 1_000_000, calls: 0, answer: { kind: 'session', session: { user: 'alice', email: 'alice@example.com' } } as BearerOutcome }
  const load = createIntrospectionSessionLoader({
    verify: async () => {
      state.calls += 1
      return state.answer
    },
    cacheTtlMs: options.ttlMs ?? 30_000,
    leaveJwts: options.leaveJwts ?? false,
    clock: () => state.now,
  })
  return { state, load }
}

async function statusOf(call: Promise<unknown>): Promise<number | 'session' | 'none'> {
  try {
    return (await call) === undefined ? 'none' : 'session'
  } catch (err) {
    assert.ok(err instanceof ProxyError)
    return err.status
  }
}

describe('introspection session loader', () => {
  it('reuses an answer for the TTL, then asks again', async () => {
    const { state, load } = harness()
    assert.equal(await statusOf(load('Bearer tok-1', request)), 'session')
    state.now += 29_000
    assert.equal(await statusOf(load('Bearer tok-1', request)), 'session')
    assert.equal(state.calls, 1)
    state.now += 2_000
    state.answer = { kind: 'invalid', reason: 'the provider says the token is not active' }
    assert.equal(await statusOf(load('Bearer tok-1', request)), 401)
    assert.equal(state.calls, 2)
  })

  it("never reuses a session past the token's exp", async () => {
    const { state, load } = harness()
    state.answer = { kind: 'session', session: { user: 'bob', expiresOn: new Date(state.now + 5_000) } }
    assert.equal(await statusOf(load('Bearer tok-2', request)), 'session')
    state.now += 6_000
    state.answer = { kind: 'invalid', reason: 'the token has expired' }
    assert.equal(await statusOf(load('Bearer tok-2', request)), 401)
    assert.equal(state.calls, 2)
  })

  it('asks on every request with a TTL of 0', async () => {
    const { state, load } = harness({ ttlMs: 0 })
    await load('Bearer tok-3', request)
    await load('Bearer tok-3', request)
    assert.equal(state.calls, 2)
  })

  it('answers 503 when the endpoint fails and does not remember the failure', async () => {
    const { state, load } = harness()
    state.answer = { kind: 'unavailable', reason: 'the call to the introspection endpoint failed: timeout' }
    assert.equal(await statusOf(load('Bearer tok-4', request)), 503)
    state.answer = { kind: 'session', session: { user: 'alice' } }
    assert.equal(await statusOf(load('Bearer tok-4', request)), 'session')
    assert.equal(state.calls, 2)
  })

  it('shares one call between concurrent requests with the same token', async () => {
    const { state, load } = harness()
    const results = await Promise.all([1, 2, 3, 4].map(() => statusOf(load('Bearer tok-5', request))))
    assert.deepEqual(results, ['session', 'session', 'session', 'session'])
    assert.equal(state.calls, 1)
  })

  it('refuses malformed and oversized tokens without a call, and leaves other schemes alone', async () => {
    const { state, load } = harness()
    for (const header of ['Bearer a"b', 'Bearer ,', `Bearer ${'x'.repeat(4097)}`]) assert.equal(await statusOf(load(header, request)), 401, header.slice(0, 20))
    for (const header of ['Basic dXNlcjpwdw==', 'Bearer', 'Bearer a b']) assert.equal(await statusOf(load(header, request)), 'none', header)
    assert.equal(state.calls, 0)
    assert.equal(await statusOf(load('bearer tok-6', request)), 'session', 'the scheme is case-insensitive (RFC 6750)')
  })

  it('leaves JWTs to --skip-jwt-bearer-tokens when that is on, and introspects them otherwise', async () => {
    const withJwtLoader = harness({ leaveJwts: true })
    assert.equal(await statusOf(withJwtLoader.load(`Bearer ${JWT}`, request)), 'none')
    assert.equal(withJwtLoader.state.calls, 0)
    const alone = harness()
    assert.equal(await statusOf(alone.load(`Bearer ${JWT}`, request)), 'session')
    assert.equal(alone.state.calls, 1)
  })
})
