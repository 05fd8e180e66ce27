import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createRedirectValidator } from '../../src/auth/redirect.js'
import { CORPUS_WHITELIST, decodeCorpusLine, LEGITIMATE_REDIRECTS, loadCorpus } from './open-redirect-corpus.js'

describe('open-redirect corpus (unit level)', () => {
  const corpus = loadCorpus()
  const isValid = createRedirectValidator(CORPUS_WHITELIST)

  it('holds at least 550 distinct payloads, each under a section comment', () => {
    assert.ok(corpus.length >= 550, `only ${corpus.length} payloads`)
    assert.equal(new Set(corpus.map((p) => p.value)).size, corpus.length, 'duplicate payloads')
    assert.deepEqual(corpus.filter((p) => p.section === '').map((p) => p.line), [])
    assert.ok(new Set(corpus.map((p) => p.section)).size >= 10)
  })

  it('covers the classes the corpus is meant to cover', () => {
    const values = new Set(corpus.map((p) => p.value))
    const required = [
      '//evil.test', '/\\evil.test', '\\/evil.test', '\\\\evil.test', '/%09/evil.test', '/%2F/evil.test', '/%5cevil.test', '/%252F/evil.test', '/./evil.test',
      '/../evil.test', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd',
      'https://good.example.com@evil.test', 'https://evil.test\\@good.example.com', '/\uff0fevil.test', 'https://a.example.com\u3002evil.test',
      'https://evil-example.com', 'https://example.com.evil.test', 'https://badexample.com', 'https://example.comevil.test', 'https://a.example.com:8443',
      'http://2130706433', 'http://017700000001', 'http://0x7f000001', 'https://evil.test#@a.example.com', 'https://evil.test?@a.example.com', 'java\tscript:alert(1)',
      'https://a.example.com\t.evil.test', '\u0000//evil.test', ' //evil.test', '/\u202e/evil.test',
    ]
    assert.deepEqual(required.filter((r) => !values.has(r)), [])
  })

  it('decodes the escape syntax', () => {
    assert.equal(decodeCorpusLine('/\\x09/a\\u{202E}b\\x5cx41'), '/\t/a\u202Eb\\x41')
    assert.equal(decodeCorpusLine('/\\evil'), '/\\evil')
  })

  it('refuses every payload', () => {
    const accepted = corpus.filter((p) => isValid(p.value)).map((p) => `line ${p.line}: ${JSON.stringify(p.value)}`)
    assert.deepEqual(accepted, [])
  })

  it('refuses the empty redirect', () => {
    assert.equal(isValid(''), false)
  })

  it('accepts at least 40 legitimate redirects', () => {
    assert.ok(LEGITIMATE_REDIRECTS.length >= 40)
    const refused = LEGITIMATE_REDIRECTS.filter((r) => !isValid(r))
    assert.deepEqual(refused, [])
  })
})
