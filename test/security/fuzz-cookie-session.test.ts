// Property-based tests (fast-check) of the cookie session decoder: the Cookie header parser the server uses, the
// chunk joiner, the signed-value check (src/crypto/signed-value.ts) and the sealed session codec behind
// src/session/cookie-store.ts. Random headers never throw and never yield a session; a valid cookie changed in any way
// (flipped, cut, extended, re-chunked out of order, re-signed for another name or secret) never yields one either.
// Classes: tampered/truncated/reordered cookies (issue 8 "Tokens and cookies"), authentik CVE-2026-25748 (a malformed
// cookie must fail closed), mod_auth_openidc CVE-2024-24814 / CVE-2023-28625 (crafted Cookie headers).
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { parse as parseCookies } from 'cookie'
import fc from 'fast-check'
import './fuzz-seed.js'
import { createCookieJar } from '../../src/cookies/jar.js'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { openSignedValue } from '../../src/crypto/signed-value.js'
import { createCookieStore } from '../../src/session/cookie-store.js'
import type { SessionStore } from '../../src/session/store.js'

const NAME = '_oauth2_proxy'
const HOUR = 3_600_000
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)
const jar = createCookieJar({ name: NAME, domains: [], path: '/', expireMs: HOUR, secure: true, httpOnly: true, sameSite: 'lax', csrfExpireMs: 900_000, csrfSameSite: '' })
const keys = cookieSecretKeys('0123456789abcdef0123456789abcdef')
const store = createCookieStore({ jar, ...keys, minimal: false })

/** The request cookies, parsed exactly as src/http/context.ts does. */
function parseHeader(header: string): Record<string, string> {
  try {
    return parseCookies(header, { decode: (v) => v }) as Record<string, string>
  } catch {
    return {}
  }
}

function cookiesFrom(setCookies: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of setCookies) {
    const [pair = ''] = line.split(';')
    const eq = pair.indexOf('=')
    if (pair.slice(eq + 1) !== '') out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}

/** A cookie value the store wrote; `tokenBytes` of random access token make it long enough to be chunked. */
async function validCookie(tokenBytes: number): Promise<string> {
  const session = { createdAt: new Date(NOW), email: 'alice@example.com', user: 'alice', accessToken: randomBytes(tokenBytes).toString('base64url'), groups: ['admins'] }
  const cookies = cookiesFrom(await store.save({}, session, 'app.example.com', NOW))
  const names = Object.keys(cookies).sort()
  return names.map((n) => cookies[n]).join('')
}

async function loadsSession(s: SessionStore, cookies: Record<string, string>): Promise<boolean> {
  const result = await s.load(cookies, NOW + 1000)
  assert.ok(['none', 'invalid', 'ok'].includes(result.kind))
  return result.kind === 'ok'
}

describe('fuzz: cookie session decoder', () => {
  it('control: the untouched cookie (one piece and chunked) yields the session', async () => {
    assert.equal(await loadsSession(store, { [NAME]: await validCookie(20) }), true)
    const big = await validCookie(7000)
    assert.ok(big.length > 8000)
    assert.equal(await loadsSession(store, { [`${NAME}_0`]: big.slice(0, 4000), [`${NAME}_1`]: big.slice(4000, 8000), [`${NAME}_2`]: big.slice(8000) }), true)
  })

  it('random Cookie headers never throw and never yield a session', async () => {
    const piece = fc.oneof(fc.constantFrom(`${NAME}=`, `${NAME}_0=`, `${NAME}_1=`, '|', '; ', '=', '"', ',', '%', 'AAAA', '1763812800', '=='), fc.string({ maxLength: 30 }))
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), async (header) => {
        assert.equal(await loadsSession(store, parseHeader(header)), false, header)
      }),
      { numRuns: 3_000 },
    )
  })

  it('random three-part values (payload|time|signature) are refused', async () => {
    const b64 = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_='), maxLength: 80 })
    const ts = fc.oneof(fc.constant(String(NOW / 1000)), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), fc.string({ maxLength: 8 }))
    await fc.assert(
      fc.asyncProperty(b64, ts, b64, async (p, t, s) => {
        assert.equal(openSignedValue(NAME, `${p}|${t}|${s}`, keys.hmacKey, HOUR, NOW), undefined)
        assert.equal(await loadsSession(store, { [NAME]: `${p}|${t}|${s}` }), false)
      }),
      { numRuns: 3_000 },
    )
  })

  it('a valid cookie changed in any way does not yield a session', async () => {
    const valid = await validCookie(30)
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.constantFrom(...'AZaz09-_|=.') }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        let v = valid
        for (const e of edits) {
          const at = e.at % (v.length + 1)
          if (e.kind === 'flip') v = v.slice(0, at) + e.ch + v.slice(at + 1)
          else if (e.kind === 'cut') v = v.slice(0, at)
          else if (e.kind === 'insert') v = v.slice(0, at) + e.text + v.slice(at)
          else v = v.slice(at, at + e.len) + v.slice(0, at) + v.slice(at + e.len)
        }
        fc.pre(v !== valid)
        assert.equal(await loadsSession(store, { [NAME]: v }), false, `edited cookie accepted: ${JSON.stringify(edits)}`)
      }),
      { numRuns: 2_000 },
    )
  })

  it('chunks of a valid cookie missing, reordered or duplicated do not yield a session', async () => {
    const valid = await validCookie(7000)
    const parts = [valid.slice(0, 4000), valid.slice(4000, 8000), valid.slice(8000)]
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 4 }), fc.boolean(), async (order, alsoWhole) => {
        const joined = order.map((i) => parts[i]).join('')
        fc.pre(joined !== valid)
        const cookies: Record<string, string> = {}
        order.forEach((i, n) => (cookies[`${NAME}_${n}`] = parts[i] ?? ''))
        if (alsoWhole) cookies[NAME] = parts[order[0] ?? 0] ?? ''
        assert.equal(await loadsSession(store, cookies), false, `chunks ${order.join(',')}`)
      }),
      { numRuns: 300 },
    )
  })

  it('a valid cookie under another cookie name or another secret does not yield a session', async () => {
    const valid = await validCookie(10)
    const otherKeys = cookieSecretKeys('fedcba9876543210fedcba9876543210')
    const otherSecret = createCookieStore({ jar, ...otherKeys, minimal: false })
    assert.equal(await loadsSession(otherSecret, { [NAME]: valid }), false)
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom(...'_abcdefgxyz0123'), minLength: 1, maxLength: 16 }), async (name) => {
        fc.pre(name !== NAME)
        const otherJar = createCookieJar({ name, domains: [], path: '/', expireMs: HOUR, secure: true, httpOnly: true, sameSite: 'lax', csrfExpireMs: 900_000, csrfSameSite: '' })
        const s = createCookieStore({ jar: otherJar, ...keys, minimal: false })
        assert.equal(await loadsSession(s, { [name]: valid }), false)
      }),
      { numRuns: 200 },
    )
  })
})
