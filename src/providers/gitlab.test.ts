import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { gitlabBearerSession } from './gitlab.js'

describe('gitlabBearerSession', () => {
  it('falls back to groups_direct only when the groups claim is absent', () => {
    const session = { user: '42' }
    assert.deepEqual(gitlabBearerSession('groups')(session, { groups_direct: ['acme/dev'] }), { user: '42', groups: ['acme/dev'] })
    assert.equal(gitlabBearerSession('groups')(session, { groups: [], groups_direct: ['acme/dev'] }), session)
    assert.equal(gitlabBearerSession('groups')(session, {}), session)
  })
})
