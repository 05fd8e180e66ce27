import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import {
  cookieNameProblem,
  ipOrCidrProblem,
  listenAddressProblem,
  realClientIpHeaderProblem,
  redirectUrlProblem,
  skipAuthRouteProblem,
  splitSkipAuthRoute,
  upstreamProblem,
  whitelistDomainProblem,
} from './formats.js'

function accepts(check: (v: string) => string | undefined, values: readonly string[]): void {
  for (const v of values) assert.equal(check(v), undefined, `should accept ${JSON.stringify(v)}`)
}

function refuses(check: (v: string) => string | undefined, values: readonly string[]): void {
  for (const v of values) assert.equal(typeof check(v), 'string', `should refuse ${JSON.stringify(v)}`)
}

describe('config value formats', () => {
  it('upstreams: http(s), file, static and unix forms', () => {
    accepts(upstreamProblem, [
      'http://127.0.0.1:8080',
      'https://app.internal/',
      'http://svc:3000/api/',
      'http://[::1]:8080/',
      'file:///var/www/static#/static/',
      'file:///srv/site',
      'static://202',
      'static://404/missing',
      'unix:///run/app.sock',
    ])
    refuses(upstreamProblem, ['127.0.0.1:8080', 'ftp://x', 'static://99', 'static://600', 'static://ok', 'file:///', 'file:///d#mnt', 'unix://', 'http://'])
    assert.match(upstreamProblem('app:8080') ?? '', /unsupported scheme "app"/)
    assert.match(upstreamProblem('localhost') ?? '', /add the scheme, e\.g\. http:\/\/localhost/)
  })

  it('listen addresses: host:port, unix sockets, or off', () => {
    accepts(listenAddressProblem, ['127.0.0.1:4180', ':4180', '0.0.0.0:4180', '[::1]:4180', 'http://0.0.0.0:4180', 'https://:443', 'unix:///run/gh.sock', 'unix:/run/gh.sock', '-', ''])
    refuses(listenAddressProblem, ['4180', 'localhost', '127.0.0.1:99999', '::1:4180', 'unix://', 'fd:3'])
  })

  it('trusted IPs: v4 and v6 addresses and CIDRs', () => {
    accepts(ipOrCidrProblem, ['10.0.0.0/8', '192.168.1.7', '0.0.0.0/0', '::/0', 'fd00::/8', '2001:db8::1', '::ffff:10.0.0.1/128'])
    refuses(ipOrCidrProblem, ['10.0.0.0/33', 'fd00::/129', '10.0.0/8', 'example.com', '10.0.0.1/8/1', '10.0.0.1/x', ''])
  })

  it('whitelist domains: hosts with optional subdomain marker and port', () => {
    accepts(whitelistDomainProblem, ['example.com', '.example.com', '*.example.com', 'app.example.com:8443', 'example.com:*', 'localhost', '[::1]:8080'])
    refuses(whitelistDomainProblem, ['https://example.com', 'example.com/path', 'exa mple.com', 'example.com:port', '*example.com', ''])
  })

  it('skip-auth routes: method forms, negation, and a leading = for regexes containing =', () => {
    assert.deepEqual(splitSkipAuthRoute('GET=^/public'), { method: 'GET', negate: false, regex: '^/public' })
    assert.deepEqual(splitSkipAuthRoute('post!=^/api'), { method: 'POST', negate: true, regex: '^/api' })
    assert.deepEqual(splitSkipAuthRoute('!=^/admin'), { method: '', negate: true, regex: '^/admin' })
    assert.deepEqual(splitSkipAuthRoute('^/health$'), { method: '', negate: false, regex: '^/health$' })
    assert.deepEqual(splitSkipAuthRoute('=^/q\\?a=b'), { method: '', negate: false, regex: '^/q\\?a=b' })
    accepts(skipAuthRouteProblem, ['GET=^/public', '^/health$', '!=^/admin', '=^/q\\?a=b'])
    assert.match(skipAuthRouteProblem('^/q\\?a=b') ?? '', /needs a leading "="/)
    assert.match(skipAuthRouteProblem('GET=^/(unclosed') ?? '', /not a valid regular expression/)
  })

  it('redirect URL: absolute http(s) URL or a path', () => {
    accepts(redirectUrlProblem, ['', '/oauth2/callback', 'https://auth.example.com/oauth2/callback', 'http://localhost:4180/oauth2/callback'])
    refuses(redirectUrlProblem, ['auth.example.com/oauth2/callback', '//evil.example/cb', 'javascript:alert(1)', 'oauth2/callback'])
  })

  it('cookie names and client-IP headers', () => {
    accepts(cookieNameProblem, ['_oauth2_proxy', '__Host-session', 'a.b-c'])
    refuses(cookieNameProblem, ['', 'has space', 'a=b', 'a;b', 'x'.repeat(257)])
    accepts(realClientIpHeaderProblem, ['X-Real-IP', 'x-forwarded-for', 'CF-Connecting-IP', 'X-Envoy-External-Address', 'X-ProxyUser-IP'])
    refuses(realClientIpHeaderProblem, ['X-Client-IP', 'Forwarded', ''])
  })
})
