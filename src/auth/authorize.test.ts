import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { Session } from '../session/session.js'
import { createAuthorizer } from './authorize.js'
import { createEmailRules } from './email-rules.js'

function authorizer(domains: string[], allowedGroups: string[] = []) {
  return createAuthorizer({ emailRules: createEmailRules({ domains }), allowedGroups, skipAuthPreflight: false, isSkipAuthRoute: () => false, trustedIps: undefined })
}

const token = { accessToken: 'at', idToken: 'it' }

describe('authorizeSession', () => {
  it('refuses a session with neither user nor email, whatever the rules', () => {
    for (const domains of [['*'], ['example.com']]) {
      assert.deepEqual(authorizer(domains).authorizeSession({ ...token }), { ok: false, rule: 'no_identity' })
      assert.deepEqual(authorizer(domains).authorizeSession({ ...token, user: '', email: '', groups: ['admins'] }), { ok: false, rule: 'no_identity' })
    }
  })

  it('lets a user without an email in only when the email rule is *', () => {
    const session: Session = { ...token, user: 'svc-1' }
    assert.deepEqual(authorizer(['*']).authorizeSession(session), { ok: true })
    assert.deepEqual(authorizer(['example.com']).authorizeSession(session), { ok: false, rule: 'email_domains' })
    assert.deepEqual(authorizer([]).authorizeSession(session), { ok: false, rule: 'email_domains' })
  })

  it('judges an email by the rule and an email without a user is enough', () => {
    assert.deepEqual(authorizer(['example.com']).authorizeSession({ ...token, email: 'a@example.com' }), { ok: true })
    assert.deepEqual(authorizer(['example.com']).authorizeSession({ ...token, user: 'a', email: 'a@evil.test' }), { ok: false, rule: 'email_domains' })
  })

  it('leaves htpasswd sessions (no provider token) to the file, not the email rule', () => {
    assert.deepEqual(authorizer(['example.com']).authorizeSession({ user: 'local-admin' }), { ok: true })
    assert.deepEqual(authorizer(['example.com']).authorizeSession({ user: 'local-admin', email: 'local-admin' }), { ok: false, rule: 'email_domains' })
  })

  it('then applies --allowed-group', () => {
    const a = authorizer(['*'], ['admins'])
    assert.deepEqual(a.authorizeSession({ ...token, user: 'u', groups: ['admins'] }), { ok: true })
    assert.deepEqual(a.authorizeSession({ ...token, user: 'u', groups: ['devs'] }), { ok: false, rule: 'allowed_groups' })
  })
})
