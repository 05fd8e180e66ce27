import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createEmailRules, parseAuthenticatedEmailsFile } from './email-rules.js'

describe('createEmailRules', () => {
  it('"*" allows any non-empty email, even malformed, as oauth2-proxy', () => {
    const rules = createEmailRules({ domains: ['*'] })
    assert.equal(rules.allows('a@b.c'), true)
    assert.equal(rules.allows('no-at-sign'), true)
    assert.equal(rules.allows(''), false)
  })

  it('a plain domain allows exactly that domain, case-insensitively', () => {
    const rules = createEmailRules({ domains: ['Example.com'] })
    assert.equal(rules.allows('user@example.com'), true)
    assert.equal(rules.allows('USER@EXAMPLE.COM'), true)
    assert.equal(rules.allows('user@a.example.com'), false)
    assert.equal(rules.allows('user@badexample.com'), false)
    assert.equal(rules.allows('user@example.com.evil.test'), false)
  })

  it('requires exactly one "@" (GHSA-c5c4-8r6x-56w3) and a local part', () => {
    const rules = createEmailRules({ domains: ['example.com', '.example.org'] })
    assert.equal(rules.allows('attacker@evil.com@example.com'), false)
    assert.equal(rules.allows('attacker@evil.com@a.example.org'), false)
    assert.equal(rules.allows('@example.com'), false)
    assert.equal(rules.allows('example.com'), false)
  })

  it('".d" and "*.d" allow proper subdomains but not the bare domain, as oauth2-proxy isEmailValidWithDomains', () => {
    for (const d of ['.example.com', '*.example.com']) {
      const rules = createEmailRules({ domains: [d] })
      assert.equal(rules.allows('u@a.example.com'), true, d)
      assert.equal(rules.allows('u@b.a.example.com'), true, d)
      assert.equal(rules.allows('u@example.com'), false, d)
      assert.equal(rules.allows('u@badexample.com'), false, d)
      assert.equal(rules.allows('u@.example.com'), false, d)
    }
  })

  it('allows listed emails exactly, case-insensitively, alongside domains', () => {
    const rules = createEmailRules({ domains: ['example.com'], emails: [' Guest@Partner.test '] })
    assert.equal(rules.allows('guest@partner.test'), true)
    assert.equal(rules.allows('GUEST@partner.test'), true)
    assert.equal(rules.allows('other@partner.test'), false)
    assert.equal(rules.allows('me@example.com'), true)
  })

  it('allows nothing with no domains and no emails, and ignores empty entries', () => {
    assert.equal(createEmailRules({ domains: [] }).allows('a@example.com'), false)
    assert.equal(createEmailRules({ domains: ['', ' '], emails: [''] }).allows('a@'), false)
    assert.equal(createEmailRules({ domains: ['.'] }).allows('a@b.'), false)
  })
})

describe('parseAuthenticatedEmailsFile', () => {
  it('reads the first CSV column, lower-cased and trimmed, skipping comments and blank lines', () => {
    const text = [
      '# allowed people',
      'Alice@Example.com',
      '',
      '  bob@example.com, Bob Builder, admin',
      '"carol@example.com","Carol, Esq."',
      '"dave""x@example.com"',
      ',no-email-here',
      '   # indented comment',
      'erin@example.com\r',
      'frank@example.com',
    ].join('\n')
    assert.deepEqual(parseAuthenticatedEmailsFile(text), ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave"x@example.com', 'erin@example.com', 'frank@example.com'])
  })

  it('returns nothing for an empty file', () => {
    assert.deepEqual(parseAuthenticatedEmailsFile(''), [])
  })
})
