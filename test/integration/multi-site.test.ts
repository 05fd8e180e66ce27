// Several sites on one instance (docs/examples/policy/several-sites.yaml): a.example.com and b.example.org reach the
// same gatehouse (Host headers against 127.0.0.1) and each gets its own cookie domain, callback URL and providers;
// a host of no site keeps the global options. Then the bad inputs of several providers and sites, all listed at once.
import { strict as assert } from 'node:assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createClient } from '../helpers/http.js'
import { runGatehouse } from '../helpers/process.js'
import { startTwoIdps, type TwoIdps } from '../helpers/two-idps.js'

describe('several sites on one instance (docs/examples/policy/several-sites.yaml)', () => {
  let env: TwoIdps
  before(async () => {
    env = await startTwoIdps('several-sites.yaml')
  })
  after(async () => {
    await env?.close()
  })

  const start = async (host: string): Promise<{ idp: string; redirectUri: string | null; csrf: string }> => {
    const res = await createClient().get(`${env.proxy.url}/oauth2/start?rd=%2F`, { headers: { host } })
    assert.equal(res.status, 302)
    const location = new URL(res.location ?? '')
    return { idp: location.origin, redirectUri: location.searchParams.get('redirect_uri'), csrf: res.setCookies.find((c) => c.startsWith('_oauth2_proxy_csrf=')) ?? '' }
  }

  it('gives each host its site\'s redirect URL, cookie domain and provider', async () => {
    const a = await start('a.example.com')
    assert.equal(a.redirectUri, 'https://a.example.com/oauth2/callback')
    assert.match(a.csrf, /; Domain=a\.example\.com/)
    assert.equal(a.idp, new URL(env.staff.issuer).origin)
    const sub = await start('intranet.a.example.com:8443')
    assert.equal(sub.redirectUri, 'https://a.example.com/oauth2/callback', '*.a.example.com is the same site')
    assert.match(sub.csrf, /; Domain=a\.example\.com/)
    const b = await start('B.Example.org')
    assert.equal(b.redirectUri, 'https://b.example.org/oauth2/callback')
    assert.match(b.csrf, /; Domain=b\.example\.org/)
    assert.equal(b.idp, new URL(env.partners.issuer).origin, 'site b offers the partners provider only')
  })

  it('keeps the global options for a host of no site', async () => {
    const other = await start(new URL(env.proxy.url).host)
    assert.equal(other.redirectUri, `${env.proxy.url}/oauth2/callback`)
    assert.doesNotMatch(other.csrf, /Domain=/)
  })

  it('shows each site\'s own providers and clears the session cookie on its domain', async () => {
    const page = await createClient().get(`${env.proxy.url}/oauth2/sign_in?rd=%2F`, { headers: { host: 'b.example.org', cookie: '_oauth2_proxy=stale' } })
    assert.equal(page.status, 200)
    assert.match(page.body, /Sign in with Partner login/)
    assert.doesNotMatch(page.body, /Staff SSO/)
    assert.ok(page.setCookies.some((c) => /^_oauth2_proxy=;.*Domain=b\.example\.org/.test(c)))
  })
})

describe('bad providers, routes and sites: every problem at once', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-multi-bad-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('names duplicate provider ids, a route\'s unknown provider and each bad site field with its path', async () => {
    const provider = (id: string): string => `  - id: ${id}\n    provider: oidc\n    clientID: x\n    clientSecret: y\n    oidcConfig:\n      issuerURL: https://idp.example.com\n`
    const file = join(dir, 'bad.yaml')
    await writeFile(
      file,
      `upstreamConfig:\n  upstreams:\n    - id: app\n      path: /\n      uri: http://127.0.0.1:1\nproviders:\n${provider('corp')}${provider('corp')}` +
        'routes:\n  - id: admin\n    providers: [crop]\n' +
        'sites:\n  - hosts: [a.example.com]\n    cookieDomain: b.example.org\n    providers: [nope]\n  - hosts: [a.example.com, "bad host"]\n    redirectUrl: ftp://x\n    colour: blue\n',
    )
    const run = await runGatehouse({ args: [`--alpha-config=${file}`, '--cookie-secret=0123456789abcdef0123456789abcdef', '--email-domain=*'] })
    assert.notEqual(run.code, 0)
    const expected = [
      /providers\[1\]\.id: multiple providers found with id "corp"/,
      /routes\[0\]\.providers\[0\]="crop": unknown provider id; known: "corp"/,
      /sites\[0\]\.cookieDomain="b\.example\.org": does not cover host "a\.example\.com"/,
      /sites\[0\]\.providers\[0\]="nope": unknown provider id/,
      /sites\[1\]\.hosts\[1\]: must be a host name without port/,
      /sites\[1\]\.redirectUrl: must be an absolute http\(s\) URL/,
      /sites\[1\]\.colour: unknown key/,
    ]
    for (const line of expected) assert.match(run.logs, line)
  })
})
