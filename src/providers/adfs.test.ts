import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { adfsBearerSession, adfsScope, goQueryEscape } from './adfs.js'

describe('adfsScope', () => {
  it('defaults to "openid email profile" and prefixes the resource with a trailing slash once', () => {
    assert.equal(adfsScope('', ''), 'openid email profile')
    assert.equal(adfsScope('', 'https://app.example'), 'https://app.example/openid email profile')
    assert.equal(adfsScope('openid', 'https://app.example/'), 'https://app.example/openid')
    assert.equal(adfsScope('https://app.example/openid email', 'https://app.example'), 'https://app.example/openid email')
  })
})

describe('goQueryEscape', () => {
  it("escapes as Go's url.QueryEscape does", () => {
    assert.equal(goQueryEscape('abc:/p?a=1&b=x y'), 'abc%3A%2Fp%3Fa%3D1%26b%3Dx+y')
    assert.equal(goQueryEscape("-_.~!'()*"), "-_.~%21%27%28%29%2A")
    assert.equal(goQueryEscape('é'), '%C3%A9')
  })
})

describe('adfsBearerSession', () => {
  const session = { email: 'S-1', user: 'S-1' }
  it('uses upn as the email only when the email claim is missing', () => {
    assert.deepEqual(adfsBearerSession('email')(session, { sub: 'S-1', upn: 'kim@corp.example' }), { email: 'kim@corp.example', user: 'S-1' })
    assert.deepEqual(adfsBearerSession('email')({ ...session, email: 'e@x' }, { sub: 'S-1', email: 'e@x', upn: 'kim@corp.example' }), { email: 'e@x', user: 'S-1' })
    assert.deepEqual(adfsBearerSession('email')(session, { sub: 'S-1' }), session)
  })
})
