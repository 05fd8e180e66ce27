import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { createCookieJar } from './cookie-jar.js'

test('path scoping: a cookie goes to its path and below, longest path first', () => {
  const jar = createCookieJar()
  jar.set('http://127.0.0.1:4180/', 'a=root; Path=/')
  jar.set('http://127.0.0.1:4180/', 'b=deep; Path=/oauth2')
  assert.equal(jar.header('http://127.0.0.1:4180/oauth2/callback'), 'b=deep; a=root')
  assert.equal(jar.header('http://127.0.0.1:4180/oauth2x'), 'a=root')
  assert.equal(jar.header('http://127.0.0.1:4180/'), 'a=root')
})

test('without Path the default path is the directory of the request', () => {
  const jar = createCookieJar()
  jar.set('http://127.0.0.1:1/interaction/abc', 'i=1')
  assert.equal(jar.cookie('http://127.0.0.1:1/interaction/abc', 'i')?.path, '/interaction')
  assert.equal(jar.get('http://127.0.0.1:1/other', 'i'), undefined)
})

test('Max-Age=0 and a past Expires delete; Max-Age wins over Expires; a new value replaces the old', () => {
  const jar = createCookieJar()
  const url = 'http://127.0.0.1:80/'
  jar.set(url, 's=1; Path=/')
  jar.set(url, 's=2; Path=/')
  assert.equal(jar.header(url), 's=2')
  jar.set(url, 's=; Path=/; Max-Age=0')
  assert.equal(jar.header(url), undefined)
  jar.set(url, 't=1; Path=/')
  jar.set(url, 't=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT')
  assert.equal(jar.get(url, 't'), undefined)
  jar.set(url, 'u=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60')
  assert.equal(jar.get(url, 'u'), '1')
})

test('cookies are kept per host and port unless ports are shared', () => {
  const perPort = createCookieJar()
  perPort.set('http://127.0.0.1:1000/', 'x=1; Path=/')
  assert.equal(perPort.get('http://127.0.0.1:2000/', 'x'), undefined)
  assert.equal(perPort.get('http://localhost:1000/', 'x'), undefined)
  const shared = createCookieJar({ shareAcrossPorts: true })
  shared.set('http://127.0.0.1:1000/', 'x=1; Path=/')
  assert.equal(shared.get('http://127.0.0.1:2000/', 'x'), '1')
})

test('Domain covers subdomains; a foreign Domain is refused; Secure only over https or loopback', () => {
  const jar = createCookieJar({ shareAcrossPorts: true })
  jar.set('http://app.example.com/', 'd=1; Domain=.example.com; Path=/')
  assert.equal(jar.get('http://other.example.com/', 'd'), '1')
  assert.equal(jar.get('http://example.org/', 'd'), undefined)
  jar.set('http://app.example.com/', 'e=1; Domain=evil.example; Path=/')
  assert.equal(jar.list().some((c) => c.name === 'e'), false)
  jar.set('http://app.example.com/', 'h=1; Path=/')
  assert.equal(jar.get('http://sub.app.example.com/', 'h'), undefined, 'host-only')
  jar.set('https://app.example.com/', 'sec=1; Path=/; Secure; HttpOnly; SameSite=Lax')
  assert.equal(jar.get('http://app.example.com/', 'sec'), undefined)
  const stored = jar.cookie('https://app.example.com/', 'sec')
  assert.deepEqual([stored?.secure, stored?.httpOnly, stored?.sameSite], [true, true, 'Lax'])
  jar.set('http://127.0.0.1/', 'lo=1; Path=/; Secure')
  assert.equal(jar.get('http://127.0.0.1/', 'lo'), '1')
})

test('values are kept raw and delete removes every match', () => {
  const jar = createCookieJar()
  const url = 'http://127.0.0.1:4180/'
  jar.set(url, '_oauth2_proxy=abc|123|sig==; Path=/')
  assert.equal(jar.get(url, '_oauth2_proxy'), 'abc|123|sig==')
  jar.delete(url, '_oauth2_proxy')
  assert.equal(jar.header(url), undefined)
})
