import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { adfsBearerSession, adfsScope, createAdfsProvider, goQueryEscape } from './adfs.js'

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

describe('createAdfsProvider login URL', () => {
  const options = {
    displayName: 'ADFS', issuerUrl: 'https://adfs.example/adfs', clientId: 'c', clientSecret: 's', skipDiscovery: true,
    loginUrl: 'https://adfs.example/adfs/oauth2/authorize', redeemUrl: 'https://adfs.example/adfs/oauth2/token', profileUrl: '', jwksUrl: 'https://adfs.example/adfs/keys',
    scope: '', responseMode: '', emailClaim: 'email', groupsClaim: 'groups', audienceClaims: ['aud'], extraAudiences: [], enabledSigningAlgs: [],
    allowUnverifiedEmail: false, skipClaimsFromProfileUrl: false, fetch, timeoutMs: 1000,
  }
  const login = { redirectUri: 'https://app/cb', state: 'x:/', nonce: 'n', codeChallenge: undefined, codeChallengeMethod: undefined, extraParams: [['scope', 'extra'], ['prompt', 'login']] as const }

  it('sends the resource-prefixed scope, and no scope at all with ADFSConfig.skipScope', async () => {
    const plain = new URL(await createAdfsProvider(options, { resource: 'https://app', scope: '', skipScope: false }).loginUrl(login))
    assert.deepEqual(plain.searchParams.getAll('scope'), ['https://app/openid email profile', 'extra'])
    const skipped = new URL(await createAdfsProvider(options, { resource: 'https://app', scope: '', skipScope: true }).loginUrl(login))
    assert.deepEqual(skipped.searchParams.getAll('scope'), [])
    assert.equal(skipped.searchParams.get('prompt'), 'login')
    assert.equal(skipped.searchParams.get('state'), 'x%3A%2F')
    assert.equal(skipped.searchParams.get('nonce'), null)
  })
})
