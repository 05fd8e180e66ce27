import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ProxyError } from '../errors.js'
import { bitbucketScope } from './bitbucket.js'
import { keycloakIdentityFromUserinfo } from './keycloak-legacy.js'
import { DIGITALOCEAN, FACEBOOK, LINKEDIN, NEXTCLOUD, SOURCEHUT } from './rest-identities.js'

const status = (fn: () => unknown): number | undefined => {
  try {
    fn()
  } catch (err) {
    return err instanceof ProxyError ? err.status : -1
  }
  return undefined
}

describe('REST identities of the plain OAuth2 providers', () => {
  it('read what oauth2-proxy reads from each answer', () => {
    assert.deepEqual(DIGITALOCEAN.read({ account: { email: 'a@example.com', uuid: 'x' } }), { email: 'a@example.com' })
    assert.deepEqual(FACEBOOK.read({ name: 'A', email: 'a@example.com', id: '1' }), { email: 'a@example.com' })
    assert.deepEqual(LINKEDIN.read({ elements: [{ handle: 'urn:li:emailAddress:1', 'handle~': { emailAddress: 'a@example.com' } }] }), { email: 'a@example.com' })
    assert.deepEqual(NEXTCLOUD.read({ ocs: { meta: { status: 'ok' }, data: { id: 'alice', email: 'a@example.com', groups: ['admin', '', 3] } } }), { user: 'alice', email: 'a@example.com', groups: ['admin'] })
    assert.deepEqual(SOURCEHUT.read({ data: { me: { username: 'alice', email: 'a@example.com' } } }), { user: 'alice', email: 'a@example.com' })
  })

  it('an account without an email is a 403 (the user side); a malformed answer is a 502', () => {
    assert.equal(status(() => DIGITALOCEAN.read({ account: {} })), 403)
    assert.equal(status(() => FACEBOOK.read({ name: 'A', id: '1' })), 403)
    assert.equal(status(() => LINKEDIN.read({ elements: [] })), 403)
    assert.equal(status(() => NEXTCLOUD.read({ ocs: { data: [] } })), 502)
    assert.equal(status(() => SOURCEHUT.read({ errors: [{ message: 'Invalid token' }] })), 502)
  })

  it('builds the URLs oauth2-proxy asks', () => {
    assert.equal(FACEBOOK.url('https://graph.facebook.com/v2.5/me'), 'https://graph.facebook.com/v2.5/me?fields=name%2Cemail')
    assert.equal(LINKEDIN.url('https://api.linkedin.com/v2/emailAddress'), 'https://api.linkedin.com/v2/emailAddress?q=members&projection=(elements*(handle~))')
    assert.equal(SOURCEHUT.body, '{"query":"{ me { username, email } }"}')
  })

  it('keycloak (legacy): email required, user falls back to preferred_username, empty groups dropped', () => {
    assert.deepEqual(keycloakIdentityFromUserinfo({ email: 'a@example.com', preferred_username: 'alice', groups: ['/staff', ''] }), { email: 'a@example.com', groups: ['/staff'], user: 'alice', preferredUsername: 'alice' })
    assert.equal(keycloakIdentityFromUserinfo({ email: 'a@example.com', user: 'A1', preferred_username: 'alice' }).user, 'A1')
    assert.equal(status(() => keycloakIdentityFromUserinfo({ preferred_username: 'alice' })), 500)
  })

  it('bitbucket adds the team and repository scopes when those checks are set', () => {
    assert.equal(bitbucketScope('email', '', ''), 'email')
    assert.equal(bitbucketScope('email', 'acme', 'acme/wiki'), 'email team repository')
    assert.equal(bitbucketScope('email team', 'acme', ''), 'email team')
  })
})
