import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { Provider } from '../providers/provider.js'
import { createAuthorizer } from './authorize.js'
import { createEmailRules } from './email-rules.js'
import { createIdentityProviders, type IdentityProvider } from './identity-providers.js'
import { compileLoginParameters } from './login-parameters.js'

function idp(id: string, allowedGroups: string[]): IdentityProvider {
  const authorizer = createAuthorizer({ emailRules: createEmailRules({ domains: ['*'], emails: [] }), allowedGroups, skipAuthPreflight: false, isSkipAuthRoute: () => false, trustedIps: undefined })
  return { id, displayName: id, provider: { displayName: id } as Provider, authorizer, backendLogoutUrl: '', loginParameters: compileLoginParameters([]) }
}

describe('createIdentityProviders', () => {
  const idps = createIdentityProviders([idp('staff', []), idp('partners', ['partners'])])

  it('gives a session its own provider, the first when it names none, none when it names an unknown one', () => {
    assert.equal(idps.several, true)
    assert.equal(idps.of({ user: 'a' })?.id, 'staff')
    assert.equal(idps.of({ user: 'a', providerId: 'partners' })?.id, 'partners')
    assert.equal(idps.of({ user: 'a', providerId: 'gone' }), undefined)
    assert.equal(idps.idOf({ user: 'a' }), 'staff')
  })

  it('decides a session with its own provider\'s rules', () => {
    assert.deepEqual(idps.authorizeSession({ email: 'a@x', groups: [] }), { ok: true })
    assert.deepEqual(idps.authorizeSession({ email: 'a@x', groups: [], providerId: 'partners' }), { ok: false, rule: 'allowed_groups' })
    assert.deepEqual(idps.authorizeSession({ email: 'a@x', groups: ['partners'], providerId: 'partners' }), { ok: true })
    assert.deepEqual(idps.authorizeSession({ email: 'a@x', providerId: 'gone' }), { ok: false, rule: 'unknown_provider' })
  })
})
