import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { rewriteAuthorizationUrl } from './idp-auth-request.js'

const s256 = (v: string): string => createHash('sha256').update(v).digest('base64url')
const params = (url: string): URLSearchParams => new URLSearchParams(url.slice(url.indexOf('?') + 1))

test('a plain challenge becomes the S256 challenge of the same value', () => {
  const verifier = 'a'.repeat(43)
  for (const method of ['&code_challenge_method=plain', '']) {
    const out = params(rewriteAuthorizationUrl(`/auth?client_id=c&code_challenge=${verifier}${method}`, '/auth'))
    assert.equal(out.get('code_challenge'), s256(verifier))
    assert.equal(out.get('code_challenge_method'), 'S256')
    assert.equal(out.get('client_id'), 'c')
  }
})

test('S256 requests, other paths and other methods are left alone', () => {
  const url = '/auth?code_challenge=abc&code_challenge_method=S256&scope=openid'
  assert.equal(rewriteAuthorizationUrl(url, '/auth'), url)
  assert.equal(rewriteAuthorizationUrl('/token?code_challenge=abc', '/auth'), '/token?code_challenge=abc')
  assert.equal(rewriteAuthorizationUrl('/realms/x/auth/abc?code_challenge=abc', '/realms/x/auth'), '/realms/x/auth/abc?code_challenge=abc')
  assert.equal(rewriteAuthorizationUrl('/auth', '/auth'), '/auth')
  const odd = '/auth?code_challenge=abc&code_challenge_method=S512'
  assert.equal(rewriteAuthorizationUrl(odd, '/auth'), odd)
})

test('offline_access without a prompt gets prompt=consent; an explicit prompt is kept', () => {
  assert.equal(params(rewriteAuthorizationUrl('/auth?scope=openid+offline_access', '/auth')).get('prompt'), 'consent')
  assert.equal(params(rewriteAuthorizationUrl('/auth?scope=openid%20offline_access&prompt=login', '/auth')).get('prompt'), 'login')
  assert.equal(params(rewriteAuthorizationUrl('/auth?scope=openid', '/auth')).get('prompt'), null)
})
