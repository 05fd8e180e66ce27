import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { assertionReloadProblems } from '../assertion/from-config.js'
import { compileRouteTable } from './route-table.js'
import { parseRoutesSpec, routesAskForAssertion } from './spec.js'

describe('routes spec', () => {
  it('accepts routes with hosts, paths, methods, upstreams, policies and providers', () => {
    const { spec, issues } = parseRoutesSpec(
      [
        { id: 'health', path: { exact: '/healthz' }, public: true },
        {
          id: 'admin',
          hosts: ['Intranet.Example.com.', '*.example.org'],
          path: { prefix: '/admin/' },
          methods: ['get', 'POST'],
          upstream: 'http://127.0.0.1:8081',
          providers: ['oidc=intranet'],
          policy: { allow: [{ groups: ['/admins'] }, { claim: { name: 'org.dept', values: ['it'] }, ips: ['10.0.0.0/8'] }], deny: [{ emails: ['mallory@example.com'] }] },
        },
      ],
      { upstreams: new Set(['/']), providers: new Set(['oidc=intranet']) },
    )
    assert.deepEqual(issues, [])
    assert.deepEqual(spec[1]?.hosts, ['intranet.example.com', '*.example.org'])
    assert.deepEqual(spec[1]?.methods, ['GET', 'POST'])
  })

  it('lists every problem at once, each with its path', () => {
    const { spec, issues } = parseRoutesSpec(
      [
        { id: 'a', path: { regex: '^/(unclosed' } },
        { id: 'a', upstream: 'nowhere', providers: ['github=x'] },
        { id: 'b', policy: { allow: [{ claim: { values: ['x'] } }, {}], deny: [{ ips: ['10.0.0.300'] }] } },
        { id: 'c', public: true, policy: { allow: [{ authenticated: true }] }, hosts: ['a.com:80'], extra: 1 },
        { id: 'd', path: { exact: '/x', prefix: '/y' }, methods: ['GE T'] },
        { id: 'e', upstream: 'ftp://files.example.com' },
      ],
      { upstreams: new Set(['/']), providers: new Set(['oidc=intranet']) },
    )
    assert.deepEqual(spec, [])
    const paths = issues.map((i) => i.path)
    assert.deepEqual(paths, [
      'routes[0].path.regex',
      'routes[2].policy.allow[0].claim.name',
      'routes[2].policy.allow[1]',
      'routes[2].policy.deny[0].ips[0]',
      'routes[3].hosts[0]',
      'routes[3]',
      'routes[3].public',
      'routes[4].path',
      'routes[4].methods[0]',
      'routes[1].id',
      'routes[1].upstream',
      'routes[1].providers[0]',
      'routes[5].upstream',
    ])
    assert.match(issues.find((i) => i.path === 'routes[1].id')?.message ?? '', /duplicate route id: routes\[0\]/)
    assert.equal(issues.find((i) => i.path === 'routes[1].upstream')?.value, 'nowhere')
    assert.match(issues.find((i) => i.path === 'routes[2].policy.allow[1]')?.message ?? '', /authenticated: true/)
  })

  it('takes identityAssertion as true, false or { audience }, and compiles it per route', () => {
    const { spec, issues } = parseRoutesSpec([
      { id: 'a', identityAssertion: { audience: 'urn:app-a' } },
      { id: 'b', identityAssertion: false },
      { id: 'c', identityAssertion: true },
      { id: 'd' },
    ])
    assert.deepEqual(issues, [])
    assert.deepEqual(compileRouteTable(spec).routes.map((r) => r.assertion), [{ audience: 'urn:app-a' }, false, { audience: undefined }, undefined])
    assert.equal(routesAskForAssertion(spec), true)
    assert.equal(routesAskForAssertion(spec.slice(1, 2)), false, 'false only turns it off')
    assert.equal(routesAskForAssertion(spec.slice(3)), false)
    assert.equal(routesAskForAssertion(undefined), false)
  })

  it('refuses a bad identityAssertion with its path', () => {
    const { spec, issues } = parseRoutesSpec([
      { id: 'a', identityAssertion: { audience: '' } },
      { id: 'b', identityAssertion: 'yes' },
      { id: 'c', identityAssertion: { audience: 'urn:c', issuer: 'x' } },
      { id: 'd', identityAssertion: {} },
    ])
    assert.deepEqual(spec, [])
    assert.deepEqual(issues.map((i) => [i.path, i.value]), [
      ['routes[0].identityAssertion.audience', ''],
      ['routes[1].identityAssertion', 'yes'],
      ['routes[2].identityAssertion', undefined],
      ['routes[3].identityAssertion', undefined],
    ])
    assert.match(issues[1]?.message ?? '', /must be true, false or \{ audience/)
    assert.match(issues[2]?.message ?? '', /issuer/)
  })

  it('refuses turning a route assertion on when the process has no key ring', () => {
    const { spec } = parseRoutesSpec([{ id: 'a', identityAssertion: false }, { id: 'b', identityAssertion: { audience: 'urn:b' } }])
    assert.deepEqual(assertionReloadProblems(spec, true), [])
    assert.deepEqual(assertionReloadProblems(undefined, false), [])
    const problems = assertionReloadProblems(spec, false)
    assert.deepEqual(problems.map((p) => [p.option, p.value]), [['--alpha-config routes[1].identityAssertion', '{"audience":"urn:b"}']])
    assert.match(problems[0]?.message ?? '', /restart gatehouse/)
  })

  it('refuses a routes value that is not a list', () => {
    assert.deepEqual(parseRoutesSpec({ id: 'x' }).issues, [{ path: 'routes', message: 'must be a list of routes' }])
    assert.deepEqual(parseRoutesSpec(undefined), { spec: [], issues: [] })
  })
})
