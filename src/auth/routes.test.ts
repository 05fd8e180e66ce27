import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ProxyError } from '../errors.js'
import { compileGoRegex, createApiRouteMatcher, createRouteMatcher, parseRouteRule, requestPath } from './routes.js'

describe('parseRouteRule', () => {
  it('reads the four forms and upper-cases the method', () => {
    const plain = parseRouteRule('^/health$')
    assert.deepEqual([plain.method, plain.negate, plain.pattern.test('/health'), plain.pattern.test('x/health')], [undefined, false, true, false])
    const get = parseRouteRule('get=^/public')
    assert.deepEqual([get.method, get.negate, get.pattern.test('/public/a')], ['GET', false, true])
    const post = parseRouteRule('POST!=^/admin')
    assert.deepEqual([post.method, post.negate, post.pattern.test('/admin')], ['POST', true, true])
    const any = parseRouteRule('!=^/private')
    assert.deepEqual([any.method, any.negate, any.pattern.test('/private')], [undefined, true, true])
  })

  it('splits on the first "=" or "!=", so a leading "=" keeps "=" in the regex', () => {
    const lead = parseRouteRule('=^/a=b$')
    assert.deepEqual([lead.method, lead.negate, lead.pattern.test('/a=b')], [undefined, false, true])
    const bang = parseRouteRule('GET=^/a!=b$')
    assert.deepEqual([bang.method, bang.negate, bang.pattern.test('/a!=b')], ['GET', false, true])
    assert.equal(parseRouteRule('GET=^/a=b').pattern.test('/a=b'), true)
  })

  it('keeps the rule as written in source', () => {
    assert.equal(parseRouteRule('get=^/x').source, 'get=^/x')
  })

  it('throws ERR_CONFIG_INVALID on a bad regex or a non-method before the separator', () => {
    for (const spec of ['GET=^/(unclosed', '[', '^/a=b', 'G ET=^/x', '(?i:x)']) {
      assert.throws(() => parseRouteRule(spec), (e: unknown) => e instanceof ProxyError && e.code === 'ERR_CONFIG_INVALID', spec)
    }
  })
})

describe('requestPath', () => {
  it('drops the query, keeps a raw fragment (it is forwarded), and percent-decodes like Go URL.Path', () => {
    assert.equal(requestPath('/a/b?x=/status'), '/a/b')
    assert.equal(requestPath('/a/b#/bar'), '/a/b#/bar')
    assert.equal(requestPath('/a/b?x#/bar'), '/a/b')
    assert.equal(requestPath('/a%2Fb%20c'), '/a/b c')
    assert.equal(requestPath('/a+b'), '/a+b')
    assert.equal(requestPath('/p;v=1'), '/p;v=1')
  })

  it('reads %23 and %3F as data, after the raw query is gone (advisory 12)', () => {
    assert.equal(requestPath('/foo%23/bar'), '/foo#/bar')
    assert.equal(requestPath('/foo%3F/bar?q'), '/foo?/bar')
    assert.equal(requestPath('/foo%23x#frag?no'), '/foo#x#frag')
  })

  it('takes the path of an absolute-form target and keeps "//" paths as paths', () => {
    assert.equal(requestPath('http://host:8080/a%2Fb?q'), '/a/b')
    assert.equal(requestPath('https://host'), '/')
    assert.equal(requestPath('//evil/admin'), '//evil/admin')
  })

  it('is undefined when a traversal character is still encoded after decoding (fuzz counterexample)', () => {
    assert.equal(requestPath('/public/%252e%2E/'), undefined)
    assert.equal(requestPath('/public/%252F..'), undefined)
    assert.equal(requestPath('/public/%255c..'), undefined)
    assert.equal(requestPath('/public/100%25'), '/public/100%')
  })

  it('is undefined when the target is not a path or does not decode', () => {
    for (const bad of ['', '*', 'relative/path', '/%zz', '/%', '/%FF', '/%C0%AF', '/a\nb', '/a\u0000', '/a%00', '/public/..%00', '/a%0Ab', '/a%7f']) assert.equal(requestPath(bad), undefined, JSON.stringify(bad))
  })
})

describe('createRouteMatcher', () => {
  it('matches nothing without rules', () => {
    assert.equal(createRouteMatcher([])('GET', '/'), false)
  })

  it('compares methods upper-cased on both sides (CVE-2020-14359)', () => {
    const m = createRouteMatcher(['GET=^/public'])
    assert.equal(m('get', '/public/x'), true)
    assert.equal(m('Get', '/public/x'), true)
    assert.equal(m('POST', '/public/x'), false)
  })

  it('negates with "!="', () => {
    const m = createRouteMatcher(['GET!=^/admin'])
    assert.equal(m('GET', '/docs'), true)
    assert.equal(m('GET', '/admin/users'), false)
    assert.equal(m('POST', '/docs'), false)
  })

  it('ignores the query: /private?x=/status does not match ^/api/.*/status (GHSA-7rh7-c77v-6434)', () => {
    const m = createRouteMatcher(['^/api/.*/status'])
    assert.equal(m('GET', requestPath('/api/private/sensitive?path=/status') ?? ''), false)
    assert.equal(m('GET', requestPath('/api/v1/status') ?? ''), true)
  })

  it('does not let a fragment or %23 widen ^/foo/.*/bar$ (GHSA-pxq7-h93f-9jrg)', () => {
    const m = createRouteMatcher(['^/foo/.*/bar$'])
    assert.equal(m('GET', requestPath('/foo/secret#/bar') ?? ''), false)
    assert.equal(m('GET', requestPath('/foo/secret%23/bar') ?? ''), false)
    assert.equal(m('GET', requestPath('/foo/secret%3F/bar') ?? ''), false)
    assert.equal(m('GET', requestPath('/foo/x/bar') ?? ''), true)
  })

  it('a raw fragment does not let /health#x skip auth while /health#x is what the upstream receives', () => {
    const m = createRouteMatcher(['^/health$'])
    assert.equal(m('GET', requestPath('/health#x') ?? ''), false)
    assert.equal(m('GET', requestPath('/health?x#y') ?? ''), true)
  })

  it('matches on the decoded path: %2F is a slash', () => {
    const m = createRouteMatcher(['^/static/css/'])
    assert.equal(m('GET', requestPath('/static%2Fcss%2Fa.css') ?? ''), true)
  })

  it('applies a rule only when every upstream reading of the path agrees (dot segments, //, ;params, backslash)', () => {
    const allow = createRouteMatcher(['^/public/'])
    for (const p of ['/public/../admin', '/public/%2e%2e/admin', '/public/..;/admin', '/public\\..\\admin', '/public/.%2e/admin']) {
      assert.equal(allow('GET', requestPath(p) ?? ''), false, p)
    }
    assert.equal(allow('GET', '/public/a;v=1/b'), true)
    assert.equal(allow('GET', '/public//x'), true)
    assert.equal(allow('GET', '/public/./x'), true)

    const deny = createRouteMatcher(['!=^/admin'])
    for (const p of ['//admin', '/x/../admin', '/admin;jsessionid=1', '/./admin', '/%2e/admin', '\\admin']) assert.equal(deny('GET', requestPath(p) ?? p), false, p)
    assert.equal(deny('GET', '/docs'), true)
  })

  it('does not resolve ".." for an ordinary match', () => {
    const m = createRouteMatcher(['^/a/\\.\\./b$'])
    // Both "/a/../b" and its resolved "/b" must match for the skip to apply; here only one does.
    assert.equal(m('GET', '/a/../b'), false)
  })

  it('never throws on arbitrary methods and paths', () => {
    const m = createRouteMatcher(['^/api/.*/status', 'GET!=^/admin', 'post=\\.css$', '(?i)^/PUBLIC/'])
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 60 }), (method, uri) => {
        const path = requestPath(uri)
        m(method, path ?? uri)
        return true
      }),
      { numRuns: 3000 },
    )
  })
})

describe('createApiRouteMatcher', () => {
  it('matches the full request URI, query included', () => {
    const m = createApiRouteMatcher(['^/api/', 'format=json'])
    assert.equal(m('/api/users'), true)
    assert.equal(m('/page?format=json'), true)
    assert.equal(m('/page'), false)
  })

  it('throws ERR_CONFIG_INVALID on a bad regex', () => {
    assert.throws(() => createApiRouteMatcher(['(']), (e: unknown) => e instanceof ProxyError && e.code === 'ERR_CONFIG_INVALID')
  })
})

describe('compileGoRegex', () => {
  it('translates Go RE2 syntax', () => {
    const cases: Array<[string, string, boolean]> = [
      ['(?i)^/API$', '/api', true],
      ['\\A/a\\z', '/a', true],
      ['\\A/a\\z', '/a\n', false],
      ['^/x/{id}$', '/x/{id}', true],
      ['^[[:alpha:]]+$', 'abcXYZ', true],
      ['^[[:digit:]]+$', 'ab', false],
      ['^\\Q/a.b\\E$', '/a.b', true],
      ['^\\Q/a.b\\E$', '/aXb', false],
      ['^(?P<n>a)$', 'a', true],
      ['^\\x{41}$', 'A', true],
      ['^\\pL+$', 'é', true],
      ['^/a\\-b\\#$', '/a-b#', true],
      ['^a{2,3}$', 'aaa', true],
      ['^[]a]+$', ']a', true],
      ['^.$', '\r', true],
      ['^.$', '\n', false],
      ['(?s)^.$', '\n', true],
      ['^\\s$', '\u00a0', false],
      ['^\\s$', '\f', true],
      ['^\\S$', '\u00a0', true],
    ]
    for (const [source, input, expected] of cases) assert.equal(compileGoRegex(source).test(input), expected, `${source} on ${JSON.stringify(input)}`)
  })

  it('throws on what JavaScript cannot express', () => {
    for (const source of ['[[:nope:]]', '(?i:x)', '\\x{zz}', 'a\\']) assert.throws(() => compileGoRegex(source), source)
  })
})
