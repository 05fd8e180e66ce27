import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { checkQueryConstraints, parseQueryConstraints } from './query-constraints.js'

describe('parseQueryConstraints', () => {
  it('reads repeated keys and comma lists, trimmed, dropping empties', () => {
    const c = parseQueryConstraints(new URLSearchParams('allowed_groups=a,b&allowed_groups=%20c%20,,&allowed_email_domains=x.com,.y.com&allowed_emails=u@x.com'))
    assert.deepEqual(c, { allowedGroups: ['a', 'b', 'c'], allowedEmailDomains: ['x.com', '.y.com'], allowedEmails: ['u@x.com'] })
  })

  it('leaves out absent or empty constraints', () => {
    assert.deepEqual(parseQueryConstraints(new URLSearchParams('allowed_groups=&other=1&allowed_emails=,')), {})
  })
})

describe('checkQueryConstraints', () => {
  const alice = { email: 'alice@sub.x.com', groups: ['dev', 'ops'] }

  it('passes with no constraints', () => {
    assert.deepEqual(checkQueryConstraints({}, {}), { ok: true })
  })

  it('allowed_groups needs one shared group', () => {
    assert.deepEqual(checkQueryConstraints({ allowedGroups: ['ops', 'qa'] }, alice), { ok: true })
    assert.deepEqual(checkQueryConstraints({ allowedGroups: ['qa'] }, alice), { ok: false, rule: 'allowed_groups' })
    assert.deepEqual(checkQueryConstraints({ allowedGroups: ['qa'] }, { email: alice.email }), { ok: false, rule: 'allowed_groups' })
    assert.deepEqual(checkQueryConstraints({ allowedGroups: ['Dev'] }, alice), { ok: false, rule: 'allowed_groups' })
  })

  it('allowed_email_domains uses whitelist rules on the single domain part', () => {
    assert.deepEqual(checkQueryConstraints({ allowedEmailDomains: ['.x.com'] }, alice), { ok: true })
    assert.deepEqual(checkQueryConstraints({ allowedEmailDomains: ['.x.com'] }, { email: 'bob@x.com' }), { ok: true })
    assert.deepEqual(checkQueryConstraints({ allowedEmailDomains: ['x.com'] }, alice), { ok: false, rule: 'allowed_email_domains' })
    assert.deepEqual(checkQueryConstraints({ allowedEmailDomains: ['.x.com'] }, { email: 'eve@badx.com' }), { ok: false, rule: 'allowed_email_domains' })
    assert.deepEqual(checkQueryConstraints({ allowedEmailDomains: ['x.com'] }, { email: 'eve@evil.test@x.com' }), { ok: false, rule: 'allowed_email_domains' })
    assert.deepEqual(checkQueryConstraints({ allowedEmailDomains: ['x.com'] }, { email: 'Bob@X.COM' }), { ok: true })
    assert.deepEqual(checkQueryConstraints({ allowedEmailDomains: ['x.com'] }, {}), { ok: false, rule: 'allowed_email_domains' })
    assert.deepEqual(checkQueryConstraints({ allowedEmailDomains: ['x.com:*'] }, { email: 'bob@x.com:25' }), { ok: false, rule: 'allowed_email_domains' })
  })

  it('allowed_emails is an exact match', () => {
    assert.deepEqual(checkQueryConstraints({ allowedEmails: ['alice@sub.x.com'] }, alice), { ok: true })
    assert.deepEqual(checkQueryConstraints({ allowedEmails: ['ALICE@sub.x.com'] }, alice), { ok: false, rule: 'allowed_emails' })
    assert.deepEqual(checkQueryConstraints({ allowedEmails: ['x'] }, {}), { ok: false, rule: 'allowed_emails' })
  })

  it('checks in oauth2-proxy order and needs all to pass', () => {
    const all = { allowedGroups: ['nope'], allowedEmailDomains: ['nope.test'], allowedEmails: ['nope@nope.test'] }
    assert.deepEqual(checkQueryConstraints(all, alice), { ok: false, rule: 'allowed_groups' })
    assert.deepEqual(checkQueryConstraints({ ...all, allowedGroups: ['dev'] }, alice), { ok: false, rule: 'allowed_email_domains' })
    assert.deepEqual(checkQueryConstraints({ ...all, allowedGroups: ['dev'], allowedEmailDomains: ['.x.com'] }, alice), { ok: false, rule: 'allowed_emails' })
  })
})
