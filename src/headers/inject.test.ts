import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createHeaderInjector, injectorPlanFromFlags } from './inject.js'

const injector = createHeaderInjector(injectorPlanFromFlags({
  passUserHeaders: true,
  passBasicAuth: false,
  basicAuthPassword: '',
  passAccessToken: true,
  passAuthorizationHeader: false,
  setXAuthRequest: true,
  setBasicAuth: false,
  setAuthorizationHeader: false,
  preferEmailToUser: false,
  stripHeaders: true,
}))

describe('identity headers from claims that no header can carry', () => {
  const session = { user: 'alice', email: 'alice@example.com', preferredUsername: 'al\r\nX-Injected: 1', groups: ['admins', 'bad\ngroup', 'dev'], accessToken: 'at' }

  it('leaves out a value with CR, LF or NUL instead of failing the request', () => {
    const up = injector.upstreamHeaders(session)
    assert.equal(up['X-Forwarded-User'], 'alice')
    assert.equal(up['X-Forwarded-Preferred-Username'], undefined)
    const res = injector.responseHeaders(session)
    assert.equal(res['X-Auth-Request-Preferred-Username'], undefined)
    assert.equal(res['X-Auth-Request-User'], 'alice')
  })

  it('drops only the group names that cannot travel', () => {
    assert.equal(injector.upstreamHeaders(session)['X-Forwarded-Groups'], 'admins,dev')
    assert.equal(injector.responseHeaders(session)['X-Auth-Request-Groups'], 'admins,dev')
    assert.equal(injector.upstreamHeaders({ user: 'bob', groups: ['\u0000'] })['X-Forwarded-Groups'], undefined)
  })

  it('sends non-ASCII names as their UTF-8 bytes, as oauth2-proxy (Go) does', () => {
    const sent = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'latin1')
    assert.deepEqual(sent(injector.upstreamHeaders({ user: 'zoë' })['X-Forwarded-User']), Buffer.from('zoë', 'utf8'))
    assert.deepEqual(sent(injector.upstreamHeaders({ user: 'Łukasz' })['X-Forwarded-User']), Buffer.from('Łukasz', 'utf8'))
    assert.deepEqual(sent(injector.responseHeaders({ user: 'u', groups: ['佐藤', 'ops'] })['X-Auth-Request-Groups']), Buffer.from('佐藤,ops', 'utf8'))
  })
})
