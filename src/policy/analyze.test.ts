import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { analyzeRoutes } from './analyze.js'
import { parseRoutesSpec } from './spec.js'

function warnings(raw: unknown): string[] {
  const { spec, issues } = parseRoutesSpec(raw)
  assert.deepEqual(issues, [])
  return analyzeRoutes(spec)
}

describe('route analysis', () => {
  it('names a route an earlier one shadows, and no others', () => {
    assert.deepEqual(
      warnings([
        { id: 'docs', hosts: ['*.example.com'], path: { prefix: '/docs' } },
        { id: 'docs-api', hosts: ['api.example.com'], path: { exact: '/docs/api' }, methods: ['GET'] },
        { id: 'docs-sub', hosts: ['*.a.example.com'], path: { prefix: '/docs/' } },
        { id: 'docsx', hosts: ['api.example.com'], path: { prefix: '/docsx' } },
        { id: 'other-host', hosts: ['example.com'], path: { prefix: '/docs' } },
        { id: 'all' },
        { id: 'after-all', path: { regex: '/x' } },
      ]),
      [
        'routes[1] (docs-api) is never used: routes[0] (docs) comes first and matches every request it would',
        'routes[2] (docs-sub) is never used: routes[0] (docs) comes first and matches every request it would',
        'routes[6] (after-all) is never used: routes[5] (all) comes first and matches every request it would',
      ],
    )
  })

  it('names rules that can never match or decide', () => {
    assert.deepEqual(
      warnings([
        {
          id: 'app',
          path: { prefix: '/app' },
          methods: ['GET'],
          policy: {
            allow: [{ methods: ['POST'] }, { paths: [{ prefix: '/other' }, { exact: '/x' }] }, { paths: [{ prefix: '/app/x' }] }, { authenticated: true }, { groups: ['late'] }],
          },
        },
        { id: 'closed', path: { prefix: '/closed' }, policy: { deny: [{ authenticated: true }] } },
        { id: 'blocked', path: { prefix: '/blocked' }, policy: { allow: [{ groups: ['a'] }], deny: [{ name: 'everyone', authenticated: true }] } },
      ]),
      [
        "routes[0] (app): policy.allow[0] can never match: its methods are not among the route's (GET)",
        "routes[0] (app): policy.allow[1] can never match: its paths lie outside the route's path",
        'routes[0] (app): policy.allow[4] can never decide: an earlier allow rule matches every signed-in user',
        'routes[1] (closed): the policy has no allow rule, so every signed-in user is denied',
        'routes[2] (blocked): policy.deny[0] matches every signed-in user, so no allow rule can ever let anyone in',
      ],
    )
  })
})
