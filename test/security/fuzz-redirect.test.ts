// Property-based tests (fast-check) of the redirect validator (src/auth/redirect.ts): random and adversarially
// assembled redirects never make it throw, and every redirect it allows lands, as a browser resolves it (WHATWG URL,
// which drops tabs and newlines and reads `\` as `/`), on the proxy's own host or on a --whitelist-domain host, at
// every percent-decoding depth. Classes: GHSA-qqxw-m5fj-f7gv, GHSA-j7px-6hwj-hpjg, GHSA-5m6c-jp6f-2vcv,
// GHSA-4mf2-f3wh-gvf2 (reference §7 rows 1–4), peers §4c.
import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import './fuzz-seed.js'
import { createRedirectValidator } from '../../src/auth/redirect.js'

const OWN = 'app.example.net'
const WHITELIST = ['.example.com', 'sso.example.org:8443']
const isValid = createRedirectValidator(WHITELIST)

/** Where a browser on https://OWN/ goes for `redirect`; undefined when it does not parse. */
function landing(redirect: string): URL | undefined {
  try {
    return new URL(redirect, `https://${OWN}/start`)
  } catch {
    return undefined
  }
}

function hostAllowed(url: URL): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false
  if (url.host === OWN) return true
  if (url.hostname === 'example.com' || url.hostname.endsWith('.example.com')) return true
  return url.hostname === 'sso.example.org' && url.port === '8443'
}

/** The redirect and each deeper percent-decoding of it, as far as it decodes. */
function decodings(redirect: string): string[] {
  const out = [redirect]
  let current = redirect
  for (let i = 0; i < 4; i++) {
    try {
      const next = decodeURIComponent(current)
      if (next === current) break
      out.push(next)
      current = next
    } catch {
      break
    }
  }
  return out
}

const PIECES = [
  '/', '//', '\\', '/\\', '\\/', '%2f', '%2F', '%5c', '%5C', '%252f', '%25252f', '.', '..', '%2e', '%2e%2e', '@', '%40',
  ':', '%3a', '?', '#', '%23', '%09', '\t', '\n', '\r', '%0d%0a', ' ', '%20', '\u00a0', '\u3002', '%E3%80%82', '\uff0f',
  '\u2215', 'evil.com', 'evil-example.com', 'example.com', '.example.com', 'a.example.com', 'example.com.evil.com',
  'sso.example.org', ':8443', ':443', 'https:', 'http:', 'javascript:', 'data:', 'HTTPS:', 'user:pass@', 'xn--80ak6aa92e.com',
  'ｅｘａｍｐｌｅ.com', '[::1]', '127.0.0.1', '0x7f.1', 'path', ';', ';x=1', '\u202e', '\u200b', '\ufeff', '%00', '%ff', '%c0%af',
]
const assembled = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''))
const anyText = fc.string({ unit: 'grapheme', maxLength: 40 })
const binaryText = fc.string({ unit: 'binary', maxLength: 40 })

function check(redirect: string): void {
  const allowed = isValid(redirect)
  assert.equal(typeof allowed, 'boolean')
  if (!allowed) return
  for (const form of decodings(redirect)) {
    const url = landing(form)
    if (url === undefined) continue
    assert.ok(hostAllowed(url), `${JSON.stringify(redirect)} allowed, but ${JSON.stringify(form)} lands on ${url.href}`)
  }
}

describe('fuzz: redirect validator', () => {
  it('assembled from attack pieces: allowed redirects stay on allowed hosts', () => {
    fc.assert(fc.property(assembled, check), { numRuns: 40_000 })
  })

  it('random unicode and binary strings: never throws, never allows a foreign host', () => {
    fc.assert(fc.property(fc.oneof(anyText, binaryText), check), { numRuns: 5_000 })
    fc.assert(fc.property(fc.oneof(anyText, binaryText), (s) => check(`/${s}`)), { numRuns: 5_000 })
    fc.assert(fc.property(fc.oneof(anyText, binaryText), (s) => check(`https://${s}`)), { numRuns: 5_000 })
  })

  it('random URLs built by fast-check (webUrl): allowed only on allowed hosts', () => {
    fc.assert(fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), check), { numRuns: 3_000 })
  })

  it('controls: local paths and whitelisted hosts are allowed', () => {
    for (const ok of ['/', '/a/b?c=d#e', 'https://a.example.com/x', 'https://example.com/', 'https://sso.example.org:8443/cb']) assert.equal(isValid(ok), true, ok)
  })
})
