import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { DEFAULT_CLAIMS } from './bearer-sessions.js'
import { sessionFromIntrospection, type IntrospectionReading } from './introspection-session.js'

const NOW = 1_700_000_000_000
const reading: IntrospectionReading = { audiences: ['gatehouse', 'reports-api'], claims: DEFAULT_CLAIMS }
const active = { active: true, sub: 'alice', client_id: 'gatehouse', token_type: 'Bearer', exp: NOW / 1000 + 60 }

describe('sessionFromIntrospection', () => {
  it("reads the answer as oauth2-proxy reads a bearer token's claims; the token is no ID token", () => {
    const session = sessionFromIntrospection('opaque', { ...active, email: 'alice@example.com', groups: ['admins'], username: 'alice.e' }, reading, NOW)
    assert.deepEqual(session, {
      accessToken: 'opaque',
      expiresOn: new Date(NOW + 60_000),
      email: 'alice@example.com',
      user: 'alice',
      groups: ['admins'],
      preferredUsername: 'alice.e',
    })
  })

  it('takes username as the user when there is no sub, and refuses an answer naming nobody', () => {
    const { sub: _sub, ...noSub } = active
    assert.equal((sessionFromIntrospection('t', { ...noSub, username: 'svc' }, reading, NOW) as { user: string }).user, 'svc')
    assert.match(String(sessionFromIntrospection('t', noSub, reading, NOW)), /names no user/)
  })

  it('accepts the client by aud or client_id, and refuses a token of another client', () => {
    assert.equal(typeof sessionFromIntrospection('t', { ...active, client_id: 'cli', aud: ['x', 'reports-api'] }, reading, NOW), 'object')
    assert.equal(typeof sessionFromIntrospection('t', { ...active, client_id: 'reports-api' }, reading, NOW), 'object')
    assert.match(String(sessionFromIntrospection('t', { ...active, client_id: 'cli' }, reading, NOW)), /another client/)
    assert.match(String(sessionFromIntrospection('t', { ...active, client_id: 'GATEHOUSE' }, reading, NOW)), /another client/)
  })

  it('wants the answer to call it a bearer access token', () => {
    const { token_type: _type, ...untyped } = active
    assert.match(String(sessionFromIntrospection('t', untyped, reading, NOW)), /does not say/)
    assert.equal(typeof sessionFromIntrospection('t', { ...untyped, typ: 'Bearer' }, reading, NOW), 'object', "Keycloak's typ")
    assert.equal(typeof sessionFromIntrospection('t', { ...untyped, token_type: 'access_token' }, reading, NOW), 'object', "Glewlwyd's token_type")
    for (const bad of [{ typ: 'Refresh' }, { token_use: 'refresh_token' }, { token_type: 'DPoP' }, { token_type: 'Bearer', typ: 'Offline' }]) {
      assert.equal(typeof sessionFromIntrospection('t', { ...untyped, ...bad }, reading, NOW), 'string', JSON.stringify(bad))
    }
    assert.match(String(sessionFromIntrospection('t', { ...active, cnf: { jkt: 'x' } }, reading, NOW)), /sender-constrained/)
  })

  it('refuses expired, not yet valid and unverified tokens', () => {
    assert.match(String(sessionFromIntrospection('t', { ...active, exp: NOW / 1000 }, reading, NOW)), /expired/)
    assert.match(String(sessionFromIntrospection('t', { ...active, nbf: NOW / 1000 + 120 }, reading, NOW)), /not valid yet/)
    assert.match(String(sessionFromIntrospection('t', { ...active, email: 'a@x', email_verified: false }, reading, NOW)), /not verified/)
  })
})
