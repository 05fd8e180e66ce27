import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { keycloakAllowedGroups, keycloakBearerSession, keycloakRoles } from './keycloak-oidc.js'

describe('keycloakRoles', () => {
  it('names realm roles role:<r> and client roles role:<client>:<r>, realm roles first', () => {
    const claims = {
      realm_access: { roles: ['admin', 'offline_access'] },
      resource_access: { wiki: { roles: ['editor'] }, account: { roles: ['manage-account', 'view-profile'] } },
    }
    assert.deepEqual(keycloakRoles(claims), ['role:admin', 'role:offline_access', 'role:wiki:editor', 'role:account:manage-account', 'role:account:view-profile'])
  })

  it('skips what is not Keycloak-shaped instead of failing', () => {
    assert.deepEqual(keycloakRoles({}), [])
    assert.deepEqual(keycloakRoles({ realm_access: 'admin', resource_access: { wiki: 'editor', app: { roles: [1, 'x'] }, other: { scopes: ['y'] } } }), ['role:app:x'])
  })
})

describe('keycloakAllowedGroups', () => {
  it('adds --allowed-role values as role: groups to --allowed-group', () => {
    assert.deepEqual(keycloakAllowedGroups(['/staff'], ['admin', 'wiki:editor']), ['/staff', 'role:admin', 'role:wiki:editor'])
    assert.deepEqual(keycloakAllowedGroups([], []), [])
  })
})

describe('keycloakBearerSession', () => {
  it("appends the token's roles to its groups", () => {
    const claims = { realm_access: { roles: ['admin'] }, resource_access: { wiki: { roles: ['editor'] } } }
    assert.deepEqual(keycloakBearerSession({ user: 'u', groups: ['/staff'] }, claims).groups, ['/staff', 'role:admin', 'role:wiki:editor'])
    assert.deepEqual(keycloakBearerSession({ user: 'u' }, {}), { user: 'u' })
  })
})
