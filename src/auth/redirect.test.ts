import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { createRedirectValidator } from './redirect.js'

const WHITELIST = ['.example.com', 'app.example.org:8443']
const isValid = createRedirectValidator(WHITELIST)
const PROXY = 'https://proxy.example.net/'

/** An independent statement of what the whitelist allows, on a WHATWG-parsed URL. */
function whitelistedByReference(url: URL): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false
  if (url.host === 'app.example.org:8443') return true
  return url.port === '' && (url.hostname === 'example.com' || url.hostname.endsWith('.example.com'))
}

describe('createRedirectValidator: relative paths (oauth2-proxy IsValidRedirect)', () => {
  it('accepts plain same-site paths', () => {
    for (const r of ['/', '/a', '/a/b?c=d#e', '/a..b/c', '/%20x', '/a/b/']) assert.equal(isValid(r), true, r)
  })

  it('refuses "//", "/\\", "\\/" and slash-whitespace-slash (GHSA-qqxw-m5fj-f7gv, GHSA-j7px-6hwj-hpjg)', () => {
    for (const r of ['//evil.test', '/\\evil.test', '\\/evil.test', '/ /evil.test', '/\t/evil.test', '/\v/evil.test', '/\f/evil.test', '/\r\n/evil.test']) {
      assert.equal(isValid(r), false, JSON.stringify(r))
    }
  })

  it('refuses "/./" and "/../" anywhere, as oauth2-proxy', () => {
    for (const r of ['/./x', '/../x', '/a/../b', '/a/./b', '/a?b=/../c']) assert.equal(isValid(r), false, r)
  })

  it('uses Go RE2 whitespace: U+00A0 between slashes is not whitespace to the regex but a non-ASCII space is still refused by NFKC', () => {
    // Go's \s is [\t\n\f\r ]; NFKC folds U+00A0 to a space, which the traversal rule then catches.
    assert.equal(isValid('/\u00a0/evil.test'), false)
    assert.equal(isValid('/a\u00a0b'), true)
  })

  it('is stricter than oauth2-proxy: controls, backslash, format characters anywhere', () => {
    for (const r of ['/a\tb', '/a\nb', '/a\u0000', '/a\u007f', '/a\\b', '/a?x=\\', '/a\u202eb', '/a\u200bb', '/a#\r']) assert.equal(isValid(r), false, JSON.stringify(r))
  })

  it('decodes the path (repeatedly) and refuses what decodes to a protocol-relative or traversal form', () => {
    for (const r of ['/%2F/evil.test', '/%2fevil.test', '/%5cevil.test', '/%252F/evil.test', '/%25252f%25252fevil.test', '/%09/evil.test', '/%2e%2e/x', '/..%2fx', '/%00']) {
      assert.equal(isValid(r), false, r)
    }
    assert.equal(isValid('/a%2Fb'), true)
    assert.equal(isValid('/caf%C3%A9'), true)
  })

  it('checks the query and fragment raw only, so encoded return URLs stay usable', () => {
    assert.equal(isValid('/login?next=https%3A%2F%2Fa.example.com%2F'), true)
    assert.equal(isValid('/login?next=%2F%2Fevil.test'), true)
    assert.equal(isValid('/login?next=//evil.test'), false)
  })

  it('folds fullwidth and look-alike slashes (NFKC and best-fit readings)', () => {
    for (const r of ['/／evil.test', '/＼evil.test', '/%EF%BC%8Fevil.test', '/∕evil.test', '/..⁄x']) assert.equal(isValid(r), false, r)
  })

  it('refuses ;params dot segments (Tomcat reads /..;/ as /../)', () => {
    assert.equal(isValid('/..;/x'), false)
    assert.equal(isValid('/a;v=1/b'), true)
  })

  it('refuses invalid UTF-8 escapes such as an overlong "/"', () => {
    assert.equal(isValid('/..%c0%afx'), false)
  })
})

describe('createRedirectValidator: absolute URLs', () => {
  it('accepts whitelisted hosts: exact, subdomains, and the entry port', () => {
    for (const r of ['https://example.com', 'https://a.example.com/x', 'http://b.a.example.com/?q#f', 'https://app.example.org:8443/x']) assert.equal(isValid(r), true, r)
  })

  it('is dot-aware (GHSA-4mf2-f3wh-gvf2)', () => {
    for (const r of ['https://badexample.com', 'https://evil-example.com', 'https://example.com.evil.test', 'https://.example.com']) assert.equal(isValid(r), false, r)
  })

  it('applies port rules: none allowed without an entry port, only the entry port otherwise', () => {
    for (const r of ['https://a.example.com:8443', 'https://example.com:443', 'http://example.com:80', 'https://app.example.org', 'https://app.example.org:8444']) {
      assert.equal(isValid(r), false, r)
    }
  })

  it('refuses when the raw authority differs from the host a browser would contact', () => {
    for (const r of ['https://a.example.com@evil.test', 'https://evil.test\\@a.example.com', 'https://evil.test。example.com', 'https:///a.example.com', 'http://0x7f.1', 'https://%61.example.com', 'https://user@a.example.com']) {
      assert.equal(isValid(r), false, r)
    }
  })

  it('refuses host characters DNS names do not carry, even under a whitelisted suffix', () => {
    assert.equal(isValid('https://evil.test&.example.com'), false)
    assert.equal(isValid('https://evil.test;.example.com'), false)
  })

  it('does not imply the proxy host and refuses other schemes and an upper-case scheme prefix, as oauth2-proxy', () => {
    assert.equal(createRedirectValidator([])('https://proxy.example.net/'), false)
    for (const r of ['javascript:alert(1)', 'data:text/html,x', 'HTTPS://a.example.com/', 'ftp://a.example.com/', 'a.example.com']) assert.equal(isValid(r), false, r)
  })

  it('accepts an entry with any port (host:*) and bracketed IPv6 entries', () => {
    const v = createRedirectValidator(['*.example.com:*', '[::1]:8080'])
    assert.equal(v('https://a.example.com:9999/'), true)
    assert.equal(v('https://example.com/'), true)
    assert.equal(v('http://[::1]:8080/'), true)
    assert.equal(v('http://[::1]/'), false)
  })
})

// Pieces that combine into URL-shaped strings, biased toward the tricks in the corpus.
const PIECES = [
  '/', '//', '\\', '.', '..', '@', ':', '#', '?', '%', '%2f', '%5c', '%2e', '%09', '%0a', '%252f', '\t', '\n', '\r', ' ', '\u0000', '\u3002', '\uff0f', '\uff0e',
  '\u202e', '[', ']', 'http://', 'https://', 'http:', 'javascript:', 'example.com', '.example.com', 'a.example.com', 'app.example.org', ':8443', ':443', 'evil.test',
  'xn--', '0x7f', '127.0.0.1', 'a', 'Z', '0', '&', ';', '=', '~',
]
const urlish = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
)

describe('createRedirectValidator: properties', () => {
  it('never throws, and never accepts a target a browser would take off the proxy host or outside the whitelist', () => {
    fc.assert(
      fc.property(urlish, (payload) => {
        const ok = isValid(payload)
        if (!ok) return true
        const resolved = new URL(payload, PROXY)
        if (payload.startsWith('http://') || payload.startsWith('https://')) return whitelistedByReference(resolved)
        return resolved.host === 'proxy.example.net' && resolved.protocol === 'https:'
      }),
      { numRuns: 5000 },
    )
  })

  it('accepts every whitelisted host built from a random label', () => {
    fc.assert(
      // `xn--` labels must be valid punycode: the URL parser (and a browser) refuses `xn--0`, so they are left out.
      fc.property(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/).filter((l) => !l.startsWith('xn--')), (label) => isValid(`https://${label}.example.com/x`)),
      { numRuns: 500 },
    )
  })
})
