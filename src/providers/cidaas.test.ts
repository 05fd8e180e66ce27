import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { cidaasBearerSession, cidaasGroups } from './cidaas.js'

describe('cidaasGroups', () => {
  it('names group roles groupId:role, then top-level roles cidaas:role', () => {
    const info = { groups: [{ groupId: 'CIDAAS_USERS', roles: ['USER', 'ADMIN'] }, { groupId: 'x', roles: [] }], roles: ['USER'] }
    assert.deepEqual(cidaasGroups(info, 'groups'), ['CIDAAS_USERS:USER', 'CIDAAS_USERS:ADMIN', 'cidaas:USER'])
  })

  it('reads the configured groups claim and skips entries of other shapes', () => {
    const info = { teams: [{ groupId: 'a', roles: ['R', 3] }, 'plain', null, { groupId: 1, roles: ['R'] }, { groupId: 'b' }], roles: 'ADMIN' }
    assert.deepEqual(cidaasGroups(info, 'teams'), ['a:R'])
    assert.deepEqual(cidaasGroups({}, 'groups'), [])
  })
})

describe('cidaasBearerSession', () => {
  it("replaces the generic groups with the token's cidaas groups and roles", () => {
    const claims = { groups: [{ groupId: 'devs', roles: ['admin'] }], roles: ['USER'] }
    assert.deepEqual(cidaasBearerSession('groups')({ user: 'u', groups: ['{"groupId":"devs"}'] }, claims), { user: 'u', groups: ['devs:admin', 'cidaas:USER'] })
    assert.deepEqual(cidaasBearerSession('groups')({ user: 'u', groups: ['x'] }, {}), { user: 'u' })
  })
})
