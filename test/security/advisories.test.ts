// oauth2-proxy's own advisories (reference §7), each tried against gatehouse through the real process and named after
// the advisory. Where another file of the corpus tries the attack in full, the test here names that test
// (advisory-index.ts) and tries one representative case itself. The proxy runs as a reverse proxy whose trusted
// proxy is 10.99.0.1, so the test client (127.0.0.1) is an untrusted peer.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { freePort, startGatehouse } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'
import { checkCoveredBy, type CoveredBy } from './advisory-index.js'
import { loadCorpus } from './open-redirect-corpus.js'
import { echoed, head, rawRequest } from './raw-http.js'

let stack: Stack
let url: string

function user(name: string, email: string, groups: string[] = []): DevUser {
  return { sub: name, email, emailVerified: true, name, preferredUsername: name, groups, password: `${name}-password` }
}

const ARGS = [
  '--reverse-proxy',
  '--trusted-proxy-ip=10.99.0.1',
  '--skip-auth-route=^/health$',
  '--skip-auth-route=^/api/.*/status$',
  '--skip-auth-route=^/foo/.*/bar$',
  '--ping-user-agent=HealthBot/1.0',
  '--gcp-healthchecks',
  '--whitelist-domain=.example.com',
  '--email-domain=example.com',
]

before(async () => {
  stack = await startStack({ args: ARGS, replaceArgs: (d) => d.filter((a) => a !== '--email-domain=*') })
  url = stack.proxy.url
  stack.idp.users.push(user('mallory', 'mallory@evil.test@example.com'), user('eve', 'eve@example.com@evil.test'))
})
after(() => stack.close())

/** Where /oauth2/sign_out sends the browser for `rd` (the raw Location header). */
async function signOutTo(rd: string): Promise<string | undefined> {
  const res = await stack.client().get(`${url}/oauth2/sign_out?rd=${encodeURIComponent(rd)}`)
  assert.equal(res.status, 302, rd)
  return res.header('location')
}

/** The request reached the echo upstream (status 200 with the echo's JSON). */
async function proxied(target: string, headers: string[] = []): Promise<boolean> {
  return echoed(await rawRequest(stack.proxy.port, head(`GET ${target}`, ['Accept: application/json', ...headers]))) !== undefined
}

function assertCovered(refs: CoveredBy[]): void {
  assert.deepEqual(refs.map(checkCoveredBy).filter((m) => m !== undefined), [])
}

describe('oauth2-proxy advisories (reference §7)', () => {
  it('GHSA-qqxw-m5fj-f7gv (CVE-2020-5233): /\\evil, \\/evil and //evil are not redirects off site', async () => {
    for (const rd of ['/\\evil.test', '\\/evil.test', '//evil.test', '/\\/evil.test']) assert.equal(await signOutTo(rd), '/', rd)
    assert.equal(await signOutTo('/landing'), '/landing')
  })

  it('GHSA-j7px-6hwj-hpjg (CVE-2020-11053): whitespace and vertical tab between the slashes', async () => {
    for (const rd of ['/\t/evil.test', '/ /evil.test', '/\v/evil.test', '/%09/evil.test', '/%0b/evil.test', '/\r\n/evil.test']) assert.equal(await signOutTo(rd), '/', JSON.stringify(rd))
  })

  it('GHSA-5m6c-jp6f-2vcv (CVE-2020-4037): the redirect corpus (>= 559 own payloads) is refused', async () => {
    const corpus = loadCorpus()
    assert.ok(corpus.length >= 559, `corpus has ${corpus.length} payloads`)
    const sample = corpus.filter((_, i) => i % 15 === 0)
    for (const p of sample) assert.equal(await signOutTo(p.value), '/', `line ${p.line}: ${JSON.stringify(p.value)}`)
    assertCovered([{ file: './open-redirect-http.test.ts', title: '/oauth2/start (' }, { file: './open-redirect-http.test.ts', title: 'sign-ins' }])
  })

  it('GHSA-4mf2-f3wh-gvf2 (CVE-2021-21291): .example.com allows a.example.com and example.com, not badexample.com', async () => {
    assert.equal(await signOutTo('https://a.example.com/x'), 'https://a.example.com/x')
    assert.equal(await signOutTo('https://example.com/'), 'https://example.com/')
    for (const rd of ['https://badexample.com/', 'https://evil-example.com/', 'https://example.com.evil.test/', 'https://a.example.com@evil.test/']) assert.equal(await signOutTo(rd), '/', rd)
  })

  it('GHSA-7rh7-c77v-6434: skip-auth regexes see the path only, not the query', async () => {
    assert.equal(await proxied('/api/v1/status'), true)
    assert.equal(await proxied('/api/private/sensitive?path=/status'), false)
    assert.equal(await proxied('/api/private/sensitive?x=/api/a/status'), false)
    assertCovered([{ file: './path-tricks.test.ts', title: 'the query is not part of the match' }])
  })

  it('GHSA-vjrc-mh2v-45x6 (CVE-2025-64484): underscore and case variants of identity headers do not reach the upstream', async () => {
    const reply = await rawRequest(stack.proxy.port, head('GET /health', ['Accept: application/json', 'X_Forwarded_Email: evil@example.com', 'x-forwarded-EMAIL: evil@example.com', 'X-Forwarded_User: evil']))
    const echo = echoed(reply)
    assert.ok(echo !== undefined)
    const leaked = Object.keys(echo.headers).filter((h) => /forwarded[-_](email|user)/i.test(h))
    assert.deepEqual(leaked, [])
    assertCovered([{ file: './header-spoofing.test.ts', title: 'every spelling at once' }])
  })

  it('GHSA-f24x-5g9q-753f (CVE-2026-34454): GET /oauth2/sign_in expires the session cookie', async () => {
    const { client } = await stack.signIn('alice')
    const res = await client.get(`${url}/oauth2/sign_in`)
    assert.ok(res.setCookies.some((c) => /^_oauth2_proxy=;/.test(c) && /Max-Age=0/i.test(c)), res.setCookies.join('\n'))
  })

  it('GHSA-5hvv-m4w4-gf6v (CVE-2026-34457): the ping or GCP health-check User-Agent does not bypass auth off the ping paths', async () => {
    for (const ua of ['HealthBot/1.0', 'GoogleHC/1.0']) {
      assert.equal(await proxied('/private', [`User-Agent: ${ua}`]), false, ua)
      const auth = await rawRequest(stack.proxy.port, head('GET /oauth2/auth', [`User-Agent: ${ua}`]))
      assert.equal(auth.statuses[0], 401, `${ua} on /oauth2/auth`)
    }
    const ping = await rawRequest(stack.proxy.port, head('GET /ping', ['User-Agent: HealthBot/1.0']))
    assert.equal(ping.statuses[0], 200)
  })

  it('GHSA-7x63-xv5r-3p2x (CVE-2026-40575): X-Forwarded-Uri from an untrusted peer does not pick a skip-auth rule', async () => {
    for (const h of ['X-Forwarded-Uri: /health', 'X-Original-URI: /health', 'X-Forwarded-Uri: /api/v1/status']) {
      const auth = await rawRequest(stack.proxy.port, head('GET /oauth2/auth', [h]))
      assert.equal(auth.statuses[0], 401, h)
      assert.equal(await proxied('/private', [h]), false, h)
    }
  })

  it('GHSA-pxq7-h93f-9jrg (CVE-2026-41059): a fragment does not widen ^/foo/.*/bar$', async () => {
    assert.equal(await proxied('/foo/x/bar'), true)
    for (const t of ['/foo/secret#/bar', '/foo/secret%23/bar']) assert.equal(await proxied(t), false, t)
  })

  it('GHSA-c5c4-8r6x-56w3 (CVE-2026-40574): an email with two "@" is not in the domain', async () => {
    for (const login of ['mallory', 'eve']) {
      const { client, result } = await stack.signIn(login)
      assert.equal(result.status, 403, `${login}: ${result.status}`)
      assert.equal(client.jar.get(url, '_oauth2_proxy'), undefined)
    }
    const { result } = await stack.signIn('alice')
    assert.equal(result.status, 302)
  })

  it('GHSA-rrm8-32g4-w8m3 (CVE-2017-1000069): a callback without the CSRF cookie signs nobody in', async () => {
    const res = await stack.client().get(`${url}/oauth2/callback?code=stolen&state=${'a'.repeat(43)}:/`)
    assert.equal(res.status, 403)
    assert.ok(!res.setCookies.some((c) => /^_oauth2_proxy=[^;]/.test(c)))
    assertCovered([{ file: './signin-attacks.test.ts', title: 'without the CSRF cookie' }, { file: './signin-attacks.test.ts', title: 'replayed authorization code' }])
  })

  it('issue #2085 (undisclosed bypass "in some setups"): no request without a valid session reaches a protected path', async () => {
    for (const headers of [[], ['Cookie: _oauth2_proxy=x'], ['Cookie: _oauth2_proxy_0=a; _oauth2_proxy_1=b'], ['Authorization: Bearer x'], ['Authorization: Basic YTpi'], ['X-Forwarded-For: 10.99.0.1']]) {
      assert.equal(await proxied('/private', headers), false, headers.join())
    }
  })

  it('--trusted-ip (reference §7 "additional"): a client cannot claim a trusted IP through X-Forwarded-For or X-Real-IP', async () => {
    await stack.restartProxy(['--trusted-ip=10.1.1.1'])
    for (const h of ['X-Forwarded-For: 10.1.1.1', 'X-Real-IP: 10.1.1.1', 'Forwarded: for=10.1.1.1']) assert.equal(await proxied('/private', [h]), false, h)
  })
})

describe('oauth2-proxy advisories that need other flags', () => {
  it('GHSA-652x-m2gr-hppm (CVE-2021-21411): a group restriction refuses non-members', async () => {
    await stack.restartProxy(['--allowed-group=admins'])
    const bob = await stack.signIn('bob')
    assert.equal(bob.result.status, 403)
    assert.equal(bob.client.jar.get(url, '_oauth2_proxy'), undefined)
    const alice = await stack.signIn('alice')
    assert.equal(alice.result.status, 302)
    const res = await alice.client.get(`${url}/private`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 200)
  })

  /** Starts a second proxy with only `extra` beyond the sign-in basics and waits for `log`. */
  async function startsWithWarning(extra: string[], log: string): Promise<void> {
    const port = await freePort()
    const lone = await startGatehouse({
      args: ['--provider=oidc', `--oidc-issuer-url=${stack.idp.issuer}`, '--client-id=gatehouse', '--client-secret=gatehouse-secret', `--cookie-secret=${stack.cookieSecret}`,
        '--email-domain=*', `--upstream=${stack.echo.url}/`, ...extra, `--http-address=127.0.0.1:${port}`],
    })
    try {
      await lone.waitForLog(log)
    } finally {
      await lone.stop()
    }
  }

  it('issue #3506: --reverse-proxy without --trusted-proxy-ip says at start that every peer is trusted', async () => {
    assert.ok(!stack.proxy.logs().includes('without trusted-proxy-ip'), 'no warning with --trusted-proxy-ip')
    await startsWithWarning(['--reverse-proxy'], 'reverse-proxy is on without trusted-proxy-ip')
  })

  it('safe default SameSite=Lax: form_post with a Lax CSRF cookie is warned about at start', async () => {
    assert.ok(!stack.proxy.logs().includes('form_post'))
    await startsWithWarning(['--auth-request-response-mode=form_post'], 'form_post with a SameSite=lax CSRF cookie')
  })
})
