import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ConfigError } from '../errors.js'
import { createUpstreamTable, parseUpstream, type UpstreamTarget } from './table.js'

function targetOf(result: ReturnType<ReturnType<typeof createUpstreamTable>['match']>): UpstreamTarget {
  assert.ok(result !== undefined && 'target' in result, `expected a target, got ${JSON.stringify(result)}`)
  return result.target
}

describe('parseUpstream', () => {
  it('reads an http upstream: the URL path is the route, exact unless it ends with /', () => {
    const t = parseUpstream('http://127.0.0.1:8080/api')
    assert.ok(!('message' in t) && t.kind === 'http')
    assert.equal(t.path, '/api')
    assert.equal(t.id, '/api')
    assert.equal(t.exact, true)
    assert.equal(t.origin, 'http://127.0.0.1:8080')
    assert.equal(t.url.host, '127.0.0.1:8080')
  })

  it('routes a bare origin at the / prefix', () => {
    const t = parseUpstream('https://app.internal')
    assert.ok(!('message' in t) && t.kind === 'http')
    assert.equal(t.path, '/')
    assert.equal(t.exact, false)
    assert.equal(t.origin, 'https://app.internal')
  })

  it('mounts unix sockets at / with the URL path as the socket', () => {
    const t = parseUpstream('unix:///run/app.sock')
    assert.deepEqual(t, { kind: 'unix', id: '/run/app.sock', path: '/', exact: false, socketPath: '/run/app.sock' })
  })

  it('uses the file fragment as the mount path, else the directory path itself', () => {
    assert.deepEqual(parseUpstream('file:///var/www#/static/'), { kind: 'file', id: '/static/', path: '/static/', exact: false, dir: '/var/www' })
    assert.deepEqual(parseUpstream('file:///var/www'), { kind: 'file', id: '/var/www', path: '/var/www', exact: true, dir: '/var/www' })
  })

  it('answers static upstreams at / with their code, 200 when the code does not parse', () => {
    assert.deepEqual(parseUpstream('static://202'), { kind: 'static', id: 'static://202', path: '/', exact: false, status: 202 })
    assert.deepEqual(parseUpstream('static://202/ignored'), { kind: 'static', id: 'static://202/ignored', path: '/', exact: false, status: 202 })
    assert.equal((parseUpstream('static://abc') as { status: number }).status, 200)
  })

  it('rejects unknown schemes and text that is not a URL', () => {
    assert.match((parseUpstream('ftp://host/') as { message: string }).message, /unknown scheme "ftp"/)
    assert.match((parseUpstream('localhost:8080') as { message: string }).message, /unknown scheme/)
    assert.match((parseUpstream('not a url') as { message: string }).message, /not a valid URL/)
  })
})

describe('createUpstreamTable', () => {
  it('reports every bad entry at once, duplicates included', () => {
    assert.throws(
      () => createUpstreamTable(['http://a/', 'ftp://b/', 'http://c/', 'static://200']),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError)
        assert.equal(err.issues.length, 3)
        assert.deepEqual(err.issues.map((i) => i.value), ['ftp://b/', 'http://c/', 'static://200'])
        assert.match(err.issues[1]?.message ?? '', /multiple upstreams found with path "\/"/)
        return true
      },
    )
  })

  it('matches prefix routes by prefix and exact routes only exactly; the longest wins', () => {
    const table = createUpstreamTable(['http://root/', 'http://api/api/', 'http://v2/api/v2/', 'http://exact/api/ping'])
    assert.equal(targetOf(table.match('/')).id, '/')
    assert.equal(targetOf(table.match('/other/thing')).id, '/')
    assert.equal(targetOf(table.match('/api/')).id, '/api/')
    assert.equal(targetOf(table.match('/api/users')).id, '/api/')
    assert.equal(targetOf(table.match('/api/v2/users')).id, '/api/v2/')
    assert.equal(targetOf(table.match('/api/ping')).id, '/api/ping')
    assert.equal(targetOf(table.match('/api/ping/more')).id, '/api/', 'an exact route does not match below itself')
    assert.deepEqual(table.targets.map((t) => t.path), ['/api/ping', '/api/v2/', '/api/', '/'])
  })

  it('answers undefined when nothing matches', () => {
    const table = createUpstreamTable(['http://api/api/', 'http://exact/health'])
    assert.equal(table.match('/'), undefined)
    assert.equal(table.match('/apix'), undefined)
    assert.equal(table.match('/health/'), undefined)
    assert.equal(createUpstreamTable([]).match('/'), undefined)
  })

  it('redirects /foo to /foo/ only when the prefix route /foo/ exists', () => {
    const table = createUpstreamTable(['http://api/api/', 'http://exact/exact'])
    assert.deepEqual(table.match('/api'), { redirectTo: '/api/' })
    assert.equal(table.match('/exac'), undefined)
    assert.equal(targetOf(table.match('/exact')).id, '/exact')
  })

  it('matches on the decoded path but redirects from the encoded one', () => {
    const table = createUpstreamTable(['http://a/a b/', 'http://api/api/'])
    assert.equal(targetOf(table.match('/a%20b/x')).id, '/a b/')
    assert.equal(targetOf(table.match('/api%2Fusers')).id, '/api/', '%2F routes like / (oauth2-proxy without proxyRawPath)')
    assert.deepEqual(table.match('/a%20b'), { redirectTo: '/a%20b/' })
  })

  it('sends non-canonical paths to their clean form instead of routing them', () => {
    const table = createUpstreamTable(['http://root/', 'http://api/api/'])
    assert.deepEqual(table.match('/api/../admin'), { redirectTo: '/admin' })
    assert.deepEqual(table.match('/api/%2e%2e/admin'), { redirectTo: '/admin' })
    assert.deepEqual(table.match('/api%2F..%2Fadmin'), { redirectTo: '/admin' })
    assert.deepEqual(table.match('/api/./x/'), { redirectTo: '/api/x/' })
    assert.deepEqual(table.match('//evil.example/x'), { redirectTo: '/evil.example/x' })
    assert.deepEqual(table.match('/../../etc/passwd'), { redirectTo: '/etc/passwd' })
  })

  it('never routes a malformed escape or a target that is not a path', () => {
    const table = createUpstreamTable(['http://root/'])
    assert.equal(table.match('/%zz'), undefined)
    assert.equal(table.match('*'), undefined)
    assert.equal(table.match('http://evil/x'), undefined)
  })

  it('freezes its targets', () => {
    const table = createUpstreamTable(['static://204'])
    const target = targetOf(table.match('/anything'))
    assert.equal(Object.isFrozen(target), true)
    assert.equal(target.kind === 'static' && target.status, 204)
  })
})
