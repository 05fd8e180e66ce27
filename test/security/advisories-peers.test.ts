// The advisories of oauth2-proxy's peers (reference peers.md §4), each tried against gatehouse through the real
// process and named after the advisory it stands for. Attacks another corpus file tries in full are named through
// advisory-index.ts, with one representative case here. The test client is an untrusted peer of a reverse proxy.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { loginViaHttp } from '../helpers/login.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { checkCoveredBy, type CoveredBy } from './advisory-index.js'
import { echoed, head, rawRequest } from './raw-http.js'

let stack: Stack
let url: string

const CRLF_NAME = 'x\r\nX-Injected: 1'

before(async () => {
  stack = await startStack({
    args: ['--reverse-proxy', '--trusted-proxy-ip=10.99.0.1', '--skip-auth-route=GET=^/public/', '--trusted-ip=10.1.1.1', '--cookie-csrf-per-request', '--cookie-csrf-per-request-limit=3'],
  })
  url = stack.proxy.url
  const crlf: DevUser = { sub: 'crlf', email: 'crlf@example.com', emailVerified: true, name: CRLF_NAME, preferredUsername: CRLF_NAME, groups: [`g\r\nX-Injected: 2`], password: 'crlf-password' }
  stack.idp.users.push(crlf)
})
after(() => stack.close())

async function raw(target: string, headers: string[] = []) {
  return rawRequest(stack.proxy.port, head(`GET ${target}`, ['Accept: application/json', ...headers]))
}

function assertCovered(refs: CoveredBy[]): void {
  assert.deepEqual(refs.map(checkCoveredBy).filter((m) => m !== undefined), [])
}

describe('4a forwarded-header and identity-header spoofing', () => {
  it('caddy-security CVE-2024-21494: X-Forwarded-For does not spoof a --trusted-ip client', async () => {
    for (const h of ['X-Forwarded-For: 10.1.1.1', 'X-Real-IP: 10.1.1.1', 'X-Forwarded-For: 10.1.1.1, 127.0.0.1']) assert.equal(echoed(await raw('/private', [h])), undefined, h)
  })

  it('caddy-security CVE-2024-21498 / CVE-2024-21499: X-Forwarded-Host and -Proto do not steer the login redirect', async () => {
    const res = await stack.client().get(`${url}/oauth2/start?rd=/x`, { headers: { 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'javascript' } })
    assert.equal(res.status, 302)
    const location = new URL(res.header('location') ?? '')
    assert.equal(location.origin, new URL(stack.idp.issuer).origin)
    assert.equal(location.searchParams.get('redirect_uri'), `${url}/oauth2/callback`)
    const page = await stack.client().get(`${url}/private`, { headers: { 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'javascript' } })
    assert.ok(!page.body.includes('evil.test') && !page.body.includes('javascript:'), 'the sign-in page does not echo them')
  })

  it('Caddy CVE-2026-30851 / CVE-2026-52845: identity headers (and their underscore aliases) are deleted when gatehouse sets none', async () => {
    const echo = echoed(await raw('/public/x', ['X-Forwarded-Email: evil@example.com', 'X_Forwarded_User: evil', 'X-Auth-Request-Email: evil@example.com', 'GAP-Auth: evil']))
    assert.ok(echo !== undefined)
    assert.deepEqual(Object.keys(echo.headers).filter((h) => /forwarded[-_](email|user)|auth-request|gap-auth/i.test(h)), [])
    assertCovered([{ file: './header-spoofing.test.ts', title: 'every spelling at once' }])
  })

  it('Traefik CVE-2026-35051: a client X-Forwarded-Prefix or -Uri does not change the /oauth2/auth decision', async () => {
    for (const h of ['X-Forwarded-Prefix: /public/', 'X-Forwarded-Uri: /public/x', 'X-Forwarded-Method: GET']) {
      assert.equal((await raw('/oauth2/auth', [h])).statuses[0], 401, h)
    }
  })
})

describe('4b path, method and host matching bypass', () => {
  it('Envoy CVE-2019-9901 / Pomerium CVE-2021-39206 / heimdall GHSA-3q34-rx83-r6mq: /public/../private is not public', async () => {
    for (const t of ['/public/../private', '/public/%2e%2e/private', '/public/..%2fprivate']) assert.equal(echoed(await raw(t)), undefined, t)
    assertCovered([{ file: './path-tricks.test.ts', title: 'does not reach the upstream without a session' }, { file: './fuzz-routes.test.ts', title: 'every upstream reading' }])
  })

  it('Gatekeeper CVE-2020-14359: a lower-case method does not slip past a method rule', async () => {
    const reply = await rawRequest(stack.proxy.port, head('post /public/x'))
    assert.equal(echoed(reply), undefined)
    assert.equal(echoed(await rawRequest(stack.proxy.port, head('POST /public/x', ['Accept: application/json']))), undefined)
  })

  it('Authelia CVE-2021-32637 / Pomerium CVE-2023-33189: malformed request URIs never get a 202 from /oauth2/auth or reach the upstream', async () => {
    for (const t of ['/%zz', '/%', '/%c0%af', '*', '/public/%zz/../../private']) {
      const reply = await raw(t)
      assert.equal(echoed(reply), undefined, t)
    }
    assertCovered([{ file: './path-tricks.test.ts', title: 'malformed X-Forwarded-Uri' }])
  })

  it('Caddy CVE-2026-27588: Host casing or port does not change a decision', async () => {
    for (const host of ['GATEHOUSE.TEST', 'Gatehouse.Test:80', 'gatehouse.test.', 'evil.test']) {
      assert.equal(echoed(await raw('/private', [`Host: ${host}`])), undefined, host)
      assert.ok(echoed(await raw('/public/x', [`Host: ${host}`])) !== undefined, host)
    }
  })
})

describe('4c open redirect', () => {
  async function signOutTo(rd: string): Promise<string | undefined> {
    return (await stack.client().get(`${url}/oauth2/sign_out?rd=${encodeURIComponent(rd)}`)).header('location')
  }

  it('Authelia GHSA-36f2-fcrx-fp4j / mod_auth_openidc #449 #453 #565 CVE-2022-23527: logout redirects stay on site by default', async () => {
    for (const rd of ['https://evil.test/', '/\\evil.test', '/%2f%5cevil.test', '%2f%2fevil.test', '//evil.test']) assert.equal(await signOutTo(rd), '/', rd)
  })

  it('Pomerium CVE-2021-29651: a client cannot choose the redirect_uri sent to the IdP', async () => {
    const res = await stack.client().get(`${url}/oauth2/start?redirect_uri=https://evil.test/cb&rd=/`)
    assert.equal(new URL(res.header('location') ?? '').searchParams.get('redirect_uri'), `${url}/oauth2/callback`)
  })

  it('caddy-security CVE-2024-21497 / traefik-forward-auth PR #77: a redirect carried through the login is validated again', async () => {
    assertCovered([{ file: './open-redirect-http.test.ts', title: 'whole sign-ins with a malicious rd' }, { file: './signin-attacks.test.ts', title: 'wrong or garbled state' }])
    const { result } = await stack.signIn('alice', '/landing')
    assert.equal(new URL(result.finalUrl ?? '').pathname, '/landing')
  })
})

describe('4d token and JWT validation', () => {
  it('lua-resty-openidc #196 #156 #485, mod_auth_openidc GHSA-wcvh-g65p-v576: forged ID tokens are tried at the callback', () => {
    assertCovered([
      { file: './signin-idtoken-attacks.test.ts', title: 'alg none' },
      { file: './signin-idtoken-attacks.test.ts', title: 'HS256 signed with the IdP' },
      { file: './signin-idtoken-attacks.test.ts', title: 'a wrong audience' },
      { file: './signin-idtoken-attacks.test.ts', title: 'a wrong issuer' },
      { file: './signin-idtoken-attacks.test.ts', title: 'an expired ID token' },
      { file: './signin-idtoken-attacks.test.ts', title: 'a nonce from another login' },
    ])
  })

  it('Gatekeeper "impersonation": a bearer token alone is not a session', async () => {
    const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20ifQ.'
    assert.equal(echoed(await raw('/private', [`Authorization: Bearer ${forged}`])), undefined)
  })
})

describe('4e session and cookie handling', () => {
  it('mod_auth_openidc CVE-2024-24814 / CVE-2023-28625, authentik CVE-2026-25748: crafted Cookie headers fail closed', async () => {
    for (const cookie of ['=', ';;;;', '_oauth2_proxy', '_oauth2_proxy="', '_oauth2_proxy=||', '_oauth2_proxy=a|1|b', `_oauth2_proxy=${'%'.repeat(3000)}`, '_oauth2_proxy_0=x; _oauth2_proxy_5=y', '\u00ff=\u00ff']) {
      const proxied = await raw('/private', [`Cookie: ${cookie}`])
      assert.equal(echoed(proxied), undefined, cookie)
      assert.ok([401, 403].includes(proxied.statuses[0] ?? 0), `${cookie}: ${proxied.statuses.join()}`)
      assert.equal((await raw('/oauth2/auth', [`Cookie: ${cookie}`])).statuses[0], 401, cookie)
    }
  })

  it('mod_auth_openidc fixation fix: a new login gets a new session cookie', async () => {
    const { client } = await stack.signIn('alice')
    const first = client.jar.get(url, '_oauth2_proxy')
    // The IdP still knows alice (its own session), so the second login is alice's again, written fresh.
    const again = await loginViaHttp(client, `${url}/oauth2/start?rd=/`, { login: 'alice', password: 'alice-password' })
    assert.equal(again.status, 302)
    const second = client.jar.get(url, '_oauth2_proxy')
    assert.ok(second !== undefined && second !== first, 'the session cookie was replaced')
    const who = await client.get(`${url}/private`, { headers: { accept: 'application/json' } })
    assert.equal(who.json<{ headers: Record<string, string> }>().headers['x-forwarded-user'], 'alice')
  })

  it('caddy-security CVE-2024-21495: the state is unpredictable (fresh CSPRNG value each login)', async () => {
    const starts = await Promise.all([0, 1, 2].map(() => stack.client().get(`${url}/oauth2/start`)))
    const states = starts.map((r) => new URL(r.header('location') ?? '').searchParams.get('state') ?? '')
    assert.equal(new Set(states).size, 3)
    // The state is `<random>:<rd>`; the random part is 32 bytes of CSPRNG output, base64url or hex.
    for (const st of states) assert.ok((st.split(':')[0] ?? '').length >= 43, st)
    const challenges = starts.map((r) => new URL(r.header('location') ?? '').searchParams.get('code_challenge'))
    if (challenges[0] !== null) assert.equal(new Set(challenges).size, 3)
  })

  it('Pomerium CVE-2024-39315: /oauth2/userinfo shows no token', async () => {
    const { client } = await stack.signIn('alice')
    const res = await client.get(`${url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 200)
    assert.deepEqual(Object.keys(res.json<Record<string, unknown>>()).filter((k) => /token/i.test(k)), [])
    assert.ok(!/eyJ[\w-]+\.eyJ/.test(res.body))
  })
})

describe('4f injection, XSS, DoS', () => {
  it('caddy-security CVE-2023-52430: parameters reflected in the sign-in and error pages are escaped', async () => {
    const xss = '"><script>alert(1)</script>'
    const signIn = await stack.client().get(`${url}/oauth2/sign_in?rd=${encodeURIComponent(`/x${xss}`)}`)
    assert.ok(!signIn.body.includes('<script>alert(1)'), 'sign-in page')
    const callback = await stack.client().get(`${url}/oauth2/callback?error=${encodeURIComponent(xss)}&error_description=${encodeURIComponent(xss)}`)
    assert.ok(!callback.body.includes('<script>alert(1)'), 'error page')
  })

  it('mod_auth_openidc CR/LF: claim values with CR LF never split an upstream header', async () => {
    const { client, result } = await stack.signIn('crlf')
    assert.ok([302, 403, 500].includes(result.status), `sign-in: ${result.status}`)
    const res = await client.get(`${url}/private`, { headers: { accept: 'application/json' } })
    // undici refuses a header value with CR or LF, so the upstream request fails closed (502) rather than splitting.
    assert.ok(res.status === 502 || res.status === 200, `proxied: ${res.status}`)
    if (res.status === 200) assert.equal(res.json<{ headers: Record<string, string> }>().headers['x-injected'], undefined)
    const auth = await client.get(`${url}/oauth2/auth`)
    assert.equal(auth.header('x-injected'), undefined)
    assert.equal(echoed(await raw('/public/x')) !== undefined, true, 'still serving')
  })

  it('oauth2-proxy #2163 #2383: per-request CSRF cookies are capped (--cookie-csrf-per-request-limit), never a 431', async () => {
    const client = stack.client()
    for (let i = 0; i < 10; i++) await client.get(`${url}/oauth2/start?rd=/${i}`)
    const csrf = client.jar.list(url).filter((c) => c.name.startsWith('_oauth2_proxy_csrf'))
    assert.ok(csrf.length <= 3, `${csrf.length} CSRF cookies kept`)
    assert.equal((await client.get(`${url}/oauth2/start`)).status, 302)
  })

  it('caddy-security CVE-2024-21493 (config parser panics): covered by the config fuzzer', () => {
    assertCovered([{ file: './fuzz-config.test.ts', title: 'loads or one ConfigError' }])
  })
})
