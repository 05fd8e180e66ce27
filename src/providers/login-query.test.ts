import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { buildLoginUrl } from './login-query.js'

describe('buildLoginUrl (makeLoginURL)', () => {
  const standard = { redirect_uri: 'https://app/cb', scope: 'openid email', client_id: 'c', response_type: 'code', state: 's:/' }

  it('sorts every parameter by name, the endpoint\'s own included; configured values follow ours under one name', () => {
    const url = buildLoginUrl('https://idp/auth?access_type=offline&client_id=old', { standard, extra: [['scope', 'groups'], ['acr_values', 'a'], ['acr_values', 'b']] })
    assert.equal(url, 'https://idp/auth?access_type=offline&acr_values=a&acr_values=b&client_id=c&redirect_uri=https%3A%2F%2Fapp%2Fcb&response_type=code&scope=openid+email&scope=groups&state=s%3A%2F')
  })

  it('adds a fallback only when no configured value has its name, and omits names entirely', () => {
    const fallback = { acr_values: 'loa1' }
    assert.deepEqual(new URL(buildLoginUrl('https://idp/auth', { standard, extra: [], fallback })).searchParams.getAll('acr_values'), ['loa1'])
    assert.deepEqual(new URL(buildLoginUrl('https://idp/auth', { standard, extra: [['acr_values', 'loa3']], fallback })).searchParams.getAll('acr_values'), ['loa3'])
    const skipped = new URL(buildLoginUrl('https://idp/auth', { standard, extra: [['scope', 'more']], omit: ['scope'] }))
    assert.deepEqual(skipped.searchParams.getAll('scope'), [])
    assert.equal(skipped.searchParams.get('client_id'), 'c')
  })
})
