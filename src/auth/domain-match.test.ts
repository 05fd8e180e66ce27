import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { isHostAllowed } from './domain-match.js'

describe('isHostAllowed', () => {
  it('matches exact entries only exactly', () => {
    assert.equal(isHostAllowed('example.com', ['example.com']), true)
    assert.equal(isHostAllowed('a.example.com', ['example.com']), false)
    assert.equal(isHostAllowed('example.co', ['example.com']), false)
  })

  it('treats ".d" and "*.d" as the domain and its subdomains, dot-aware (GHSA-4mf2-f3wh-gvf2)', () => {
    for (const entry of ['.example.com', '*.example.com']) {
      assert.equal(isHostAllowed('example.com', [entry]), true, entry)
      assert.equal(isHostAllowed('a.example.com', [entry]), true, entry)
      assert.equal(isHostAllowed('a.b.example.com', [entry]), true, entry)
      assert.equal(isHostAllowed('badexample.com', [entry]), false, entry)
      assert.equal(isHostAllowed('example.com.evil.test', [entry]), false, entry)
      assert.equal(isHostAllowed('.example.com', [entry]), false, entry)
    }
  })

  it('applies oauth2-proxy port rules', () => {
    assert.equal(isHostAllowed('a.example.com:8080', ['.example.com']), false)
    assert.equal(isHostAllowed('a.example.com:8080', ['.example.com:8080']), true)
    assert.equal(isHostAllowed('a.example.com:8081', ['.example.com:8080']), false)
    assert.equal(isHostAllowed('a.example.com', ['.example.com:8080']), false)
    assert.equal(isHostAllowed('a.example.com:1', ['.example.com:*']), true)
    assert.equal(isHostAllowed('a.example.com', ['.example.com:*']), true)
    assert.equal(isHostAllowed('a.example.com', ['.example.com:']), true)
  })

  it('compares case-insensitively and ignores surrounding spaces in entries', () => {
    assert.equal(isHostAllowed('A.Example.COM', [' .EXAMPLE.com ']), true)
  })

  it('handles bracketed IPv6 hosts and entries', () => {
    assert.equal(isHostAllowed('[::1]:8080', ['[::1]:8080']), true)
    assert.equal(isHostAllowed('[::1]', ['[::1]']), true)
    assert.equal(isHostAllowed('[::1]', ['::1']), true)
    assert.equal(isHostAllowed('[::1]:8080', ['[::1]']), false)
    assert.equal(isHostAllowed('[::2]', ['[::1]:*']), false)
  })

  it('refuses malformed input and ignores empty or degenerate entries', () => {
    assert.equal(isHostAllowed('', ['example.com']), false)
    assert.equal(isHostAllowed('example.com:http', ['example.com:*']), false)
    assert.equal(isHostAllowed('example.com:99999', ['example.com:*']), false)
    assert.equal(isHostAllowed('[::1', ['[::1]']), false)
    assert.equal(isHostAllowed('a.example.com.', ['*.']), false)
    assert.equal(isHostAllowed('anything', ['', '*', ':8080']), false)
    assert.equal(isHostAllowed('example.com', []), false)
  })

  it('normalises numeric ports', () => {
    assert.equal(isHostAllowed('example.com:08443', ['example.com:8443']), true)
    assert.equal(isHostAllowed('example.com:8443', ['example.com:99999']), false)
  })
})
