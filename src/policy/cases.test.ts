import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { parseCases, runCase } from './cases.js'
import { compileRouteTable } from './route-table.js'
import { parseRoutesSpec } from './spec.js'

const { spec } = parseRoutesSpec([
  { id: 'health', path: { exact: '/healthz' }, public: true },
  { id: 'admin', hosts: ['intranet.example.com'], path: { prefix: '/admin/' }, policy: { allow: [{ groups: ['/admins'] }] } },
  { id: 'portal', hosts: ['intranet.example.com'] },
])
const table = compileRouteTable(spec)

describe('policy test cases', () => {
  it('runs each case through the route table and says what decided it', () => {
    const { cases, issues } = parseCases({
      cases: [
        { name: 'admin in', request: { url: 'http://intranet.example.com/admin/x' }, user: { groups: ['/admins'] }, expect: 'allow', route: 'admin', rule: 'routes[1].policy.allow[0]' },
        { name: 'staff out', request: { url: 'http://intranet.example.com/admin/x' }, user: { groups: ['/staff'] }, expect: 'deny', rule: 'no-allow-matched' },
        { name: 'sneaky', request: { url: 'http://intranet.example.com/x/..%2Fadmin/' }, user: { groups: [] }, expect: 'deny', rule: 'refused:encoded-separator' },
        { name: 'dots', request: { url: 'http://INTRANET.example.com./x/%2e%2e/admin/y' }, user: { groups: [] }, expect: 'deny', route: 'admin' },
        { name: 'anonymous', request: { url: 'http://intranet.example.com/' }, expect: 'deny', rule: 'login-required' },
        { name: 'health', request: { method: 'head', url: 'http://other.example.com/healthz' }, expect: 'allow', rule: 'public' },
        { name: 'wrong expectation', request: { url: 'http://other.example.com/' }, user: { groups: [] }, expect: 'allow' },
      ],
    })
    assert.deepEqual(issues, [])
    const results = cases.map((c) => runCase(table, c))
    assert.deepEqual(results.map((r) => r.pass), [true, true, true, true, true, true, false])
    assert.equal(results[6]?.line, 'FAIL wrong expectation: deny GET http://other.example.com/ → route (none), rule no-route (expected allow)')
    assert.equal(results[0]?.line, 'PASS admin in: allow GET http://intranet.example.com/admin/x → route admin, rule routes[1].policy.allow[0]')
  })

  it('reports every problem of a cases file with its path', () => {
    const { issues } = parseCases({ cases: [{ name: 'x', request: { url: '/relative' }, expect: 'maybe' }] })
    assert.deepEqual(issues.map((i) => i.path), ['cases[0].request.url', 'cases[0].expect'])
  })
})
