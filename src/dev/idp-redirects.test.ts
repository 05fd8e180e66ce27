import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { compilePattern, isPattern, metadataUris, placeholderFor } from './idp-redirects.js'

test('a single * matches a port or one label: any loopback port, never another host', () => {
  const re = compilePattern('http://127.0.0.1:*/oauth2/callback')
  assert.ok(re.test('http://127.0.0.1:4180/oauth2/callback'))
  assert.ok(!re.test('http://127.0.0.1:/oauth2/callback'))
  assert.ok(!re.test('http://127.0.0.1:4180/oauth2/callback/extra'))
  assert.ok(!re.test('http://127.0.0.1:4180@evil.example/oauth2/callback'))
  assert.ok(!re.test('http://127.0.0.1:80.evil.example/oauth2/callback'))
  assert.ok(!re.test('http://127.0.0.1.evil.example:80/oauth2/callback'))
  assert.ok(!re.test('http://127.0.0.1:4180/oauth2/callback?x=1'))
})

test('** matches anything, and regex characters in the pattern are literal', () => {
  const re = compilePattern('http://localhost:*/**')
  assert.ok(re.test('http://localhost:8080/'))
  assert.ok(re.test('http://localhost:8080/a/b?c=d'))
  assert.ok(!re.test('http://localhostX:8080/'))
  const dots = compilePattern('https://app.example.com/cb')
  assert.ok(!dots.test('https://appXexample.com/cb'))
})

test('patterns get a valid placeholder in the client metadata; exact URIs are kept', () => {
  assert.equal(isPattern('http://a/*'), true)
  assert.equal(isPattern('http://a/b'), false)
  assert.equal(placeholderFor('http://127.0.0.1:*/**'), 'http://127.0.0.1:1/')
  assert.deepEqual(metadataUris(['http://127.0.0.1:*/**', 'https://x.example/cb', 'http://127.0.0.1:*/**']), [
    'http://127.0.0.1:1/',
    'https://x.example/cb',
  ])
  for (const uri of metadataUris(['http://127.0.0.1:*/cb', 'https://*.example.com/**'])) assert.doesNotThrow(() => new URL(uri))
})
