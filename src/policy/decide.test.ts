import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { CanonicalRequest } from './canonical.js'
import { decideRoute, evaluate } from './decide.js'
import type { Identity } from './predicates.js'
import { compileRouteTable } from './route-table.js'
import { parseRoutesSpec, type RuleSpec } from './spec.js'

function table(raw: unknown) {
  const { spec, issues } = parseRoutesSpec(raw)
  assert.deepEqual(issues, [])
  return compileRouteTable(spec)
}

const request = (over: Partial<CanonicalRequest> = {}): CanonicalRequest => ({ method: 'GET', host: 'app.example.com', path: '/', query: '', clientIp: '10.1.2.3', ...over })
const anna: Identity = { email: 'anna@Example.com', user: 'anna', groups: ['/staff', '/admins', 'role:wiki:editor'], claims: { org: { dept: 'it', tags: ['a', 'b'] }, level: 3 } }

describe('route table', () => {
  const routes = table([
    { id: 'health', path: { exact: '/healthz' }, public: true },
    { id: 'api-write', hosts: ['api.example.com'], methods: ['POST', 'DELETE'], path: { prefix: '/v1' } },
    { id: 'wild', hosts: ['*.example.org'], path: { regex: '/w/[0-9]+' } },
    { id: 'admin', path: { prefix: '/admin/' }, policy: { allow: [{ groups: ['/admins'] }] } },
    { id: 'rest' },
  ])
  const find = (over: Partial<CanonicalRequest>) => routes.find(request(over))?.id

  it('matches host (exact or *.suffix), path (exact, segment prefix, anchored regex) and method, first route first', () => {
    assert.equal(find({ path: '/healthz' }), 'health')
    assert.equal(find({ path: '/healthz/' }), 'rest')
    assert.equal(find({ host: 'api.example.com', method: 'POST', path: '/v1' }), 'api-write')
    assert.equal(find({ host: 'api.example.com', method: 'POST', path: '/v1/x' }), 'api-write')
    assert.equal(find({ host: 'api.example.com', method: 'POST', path: '/v10' }), 'rest', 'a prefix ends at a segment')
    assert.equal(find({ host: 'api.example.com', method: 'GET', path: '/v1/x' }), 'rest')
    assert.equal(find({ host: 'a.b.example.org', path: '/w/12' }), 'wild')
    assert.equal(find({ host: 'example.org', path: '/w/12' }), 'rest', '*.example.org is not example.org')
    assert.equal(find({ host: 'x.example.org', path: '/w/12/x' }), 'rest', 'regexes are anchored')
    assert.equal(find({ host: 'evilexample.org', path: '/w/1' }), 'rest')
  })

  it('denies before it allows, and names the rule that decided', () => {
    const t = table([
      {
        id: 'wiki',
        policy: {
          allow: [{ name: 'editors', roles: ['wiki:editor'] }, { emailDomains: ['example.com'], methods: ['GET'] }, { claim: { name: 'org.tags', values: ['b'] } }],
          deny: [{ ips: ['192.0.2.0/24'] }, { paths: [{ prefix: '/private' }], emails: ['ANNA@example.com'] }],
        },
      },
    ])
    const route = t.routes[0]
    assert.ok(route !== undefined)
    assert.deepEqual(decideRoute(route, anna, request()), { allow: true, routeId: 'wiki', rule: 'routes[0].policy.allow[0] (editors)' })
    assert.deepEqual(decideRoute(route, anna, request({ clientIp: '192.0.2.9' })), { allow: false, routeId: 'wiki', rule: 'routes[0].policy.deny[0]' })
    assert.deepEqual(decideRoute(route, anna, request({ path: '/private/x' })), { allow: false, routeId: 'wiki', rule: 'routes[0].policy.deny[1]' })
    const bob: Identity = { email: 'bob@example.com', groups: [] }
    assert.equal(decideRoute(route, bob, request()).rule, 'routes[0].policy.allow[1]')
    assert.deepEqual(decideRoute(route, bob, request({ method: 'PUT' })), { allow: false, routeId: 'wiki', rule: 'no-allow-matched' })
    assert.equal(decideRoute(route, { groups: [], claims: { org: { tags: ['b'] } } }, request({ method: 'PUT' })).rule, 'routes[0].policy.allow[2]')
    assert.equal(decideRoute(route, { email: 'x@@example.com', groups: [] }, request()).allow, false, 'an address with two @ has no domain')
  })

  it('evaluates public routes without a session, others need one; no route is its own outcome', () => {
    assert.equal(evaluate(routes, request({ path: '/healthz' }), undefined).kind, 'public')
    assert.equal(evaluate(routes, request({ path: '/admin/' }), undefined).kind, 'needs-login')
    const e = evaluate(routes, request({ path: '/admin/x' }), { groups: ['/staff'] })
    assert.ok(e.kind === 'decided' && !e.decision.allow)
    const r = evaluate(routes, request(), { groups: [] })
    assert.ok(r.kind === 'decided' && r.decision.allow && r.decision.rule === 'authenticated')
    assert.equal(evaluate(table([{ id: 'only', hosts: ['a.com'] }]), request(), undefined).kind, 'no-route')
  })

  it('property: a route policy never allows what one of its deny rules matches', () => {
    const groups = fc.subarray(['g1', 'g2', 'g3', 'role:r1'])
    const rule: fc.Arbitrary<RuleSpec> = fc.record(
      {
        groups: fc.subarray(['g1', 'g2', 'g3'], { minLength: 1 }),
        roles: fc.constant<string[]>(['r1']),
        emails: fc.subarray(['a@x.com', 'b@y.com'], { minLength: 1 }),
        emailDomains: fc.subarray(['x.com', 'y.com'], { minLength: 1 }),
        ips: fc.subarray(['10.0.0.0/8', '192.0.2.1'], { minLength: 1 }),
        methods: fc.subarray(['GET', 'POST'], { minLength: 1 }),
        paths: fc.subarray([{ prefix: '/a' }, { exact: '/b' }, { regex: '/c.*' }], { minLength: 1 }),
        claim: fc.record({ name: fc.constantFrom('dept', 'org.unit'), values: fc.subarray(['x', 'y'], { minLength: 1 }) }),
        authenticated: fc.constant(true as const),
      },
      { requiredKeys: [] },
    ).filter((r) => Object.keys(r).length > 0)
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 3 }),
        fc.array(rule, { minLength: 1, maxLength: 3 }),
        groups,
        fc.constantFrom('a@x.com', 'b@y.com', 'c@x.com', undefined),
        fc.constantFrom('10.2.3.4', '192.0.2.1', '203.0.113.5'),
        fc.constantFrom('GET', 'POST', 'PUT'),
        fc.constantFrom('/a', '/a/b', '/b', '/c', '/cd', '/z'),
        fc.record({ dept: fc.constantFrom('x', 'y', 'z'), org: fc.record({ unit: fc.constantFrom(['x'], ['z'], 'y') }) }),
        (allow, deny, gs, email, ip, method, path, claims) => {
          const t = table([{ id: 'r', policy: { allow, deny } }])
          const route = t.routes[0]
          assert.ok(route !== undefined)
          const id: Identity = { email, groups: gs, claims }
          const req = request({ clientIp: ip, method, path })
          const decision = decideRoute(route, id, req)
          if (route.deny.some((d) => d.test(id, req))) assert.equal(decision.allow, false)
          if (decision.allow) assert.ok(route.allow?.some((a) => a.test(id, req)), 'an allow always names an allow rule that matched')
        },
      ),
      { numRuns: 1500 },
    )
  })
})
