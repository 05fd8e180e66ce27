// Property-based tests (fast-check) of the skip-auth route matcher (src/auth/routes.ts): for any request target
// assembled from traversal, encoding and delimiter tricks, a rule that lets the request through without a session
// must hold for every path an upstream may act on, decoded: the WHATWG-normalised path, that re-normalised,
// and the decoded raw path up to the query (a raw `#` included) as a Go upstream keeps it. Never throws. Classes: CVE-2019-9901,
// heimdall GHSA-3q34-rx83-r6mq, GHSA-7rh7-c77v-6434, GHSA-pxq7-h93f-9jrg (peers §4b).
import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import './fuzz-seed.js'
import { createRouteMatcher, requestPath } from '../../src/auth/routes.js'

const matches = createRouteMatcher(['GET=^/public/', '^/health$', '^/v1/[^/]+/status$'])
const BASE = 'http://upstream.test'

function decode(p: string): string | undefined {
  try {
    return decodeURIComponent(p)
  } catch {
    return undefined
  }
}

/** Paths an upstream may act on for a raw request target. */
function upstreamReadings(target: string): string[] {
  const out: string[] = []
  // Rules match the decoded path (as oauth2-proxy's): an upstream that keeps %2F undecoded is out of scope here.
  const raw = target.split('?')[0] ?? ''
  const rawDecoded = decode(raw)
  if (rawDecoded !== undefined) out.push(rawDecoded)
  const whatwg = new URL(target, BASE).pathname
  const decoded = decode(whatwg)
  if (decoded !== undefined) {
    out.push(decoded)
    out.push(new URL(decoded.replace(/^\/+/, '/'), BASE).pathname)
  }
  return out
}

const PIECES = [
  '/', '//', '\\', 'public', 'public/', 'health', 'private', 'v1', 'status', 'x', '.', '..', '%2e', '%2E', '%2e%2e', '%2f', '%2F',
  '%5c', '%5C', ';', ';x=1', '..;', '?', '#', '%23', '%3F', '%3f', '%252e', '%252f', '%', '%00', '%09', '%0a', '%20', '+',
  '\u00e9', '%C3%A9', '%c0%af', '%ff', '*', '~',
]
const target = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }).map((parts) => `/${parts.join('')}`)
const method = fc.constantFrom('GET', 'get', 'POST', 'HEAD', 'OPTIONS', 'G\u0130T')

function check(m: string, t: string): void {
  const path = requestPath(t)
  if (path === undefined) return
  const allowed = matches(m, path)
  assert.equal(typeof allowed, 'boolean')
  if (!allowed) return
  for (const reading of upstreamReadings(t)) {
    const ok = (m.toUpperCase() === 'GET' && reading.startsWith('/public/')) || reading === '/health' || /^\/v1\/[^/]+\/status$/.test(reading)
    assert.ok(ok, `${m} ${t} skipped auth, but an upstream may read it as ${JSON.stringify(reading)}`)
  }
}

describe('fuzz: skip-auth route matcher', () => {
  it('allowed targets stay inside their rule under every upstream reading', () => {
    fc.assert(fc.property(method, target, check), { numRuns: 60_000 })
  })

  it('random strings as targets: never throws', () => {
    fc.assert(fc.property(method, fc.string({ unit: 'grapheme', maxLength: 60 }), (m, s) => check(m, `/${s.replace(/[\u0000-\u0020\u007f]/g, '')}`)), { numRuns: 5_000 })
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      const p = requestPath(s)
      if (p !== undefined) matches('GET', p)
    }), { numRuns: 5_000 })
  })

  it('random rules compile or fail with a config error, and never throw while matching', () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }), target, (rule, t) => {
      let m: ((method: string, path: string) => boolean) | undefined
      try {
        m = createRouteMatcher([rule])
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'ERR_CONFIG_INVALID', String(err))
        return
      }
      const p = requestPath(t)
      if (p !== undefined) assert.equal(typeof m('GET', p), 'boolean')
    }), { numRuns: 5_000 })
  })

  it('controls: the rules do match their own paths', () => {
    assert.equal(matches('GET', requestPath('/public/a') ?? ''), true)
    assert.equal(matches('POST', requestPath('/health?x') ?? ''), true)
    assert.equal(matches('GET', requestPath('/v1/app/status') ?? ''), true)
  })
})
