// Who may pass, through the real process: --email-domain (with oauth2-proxy's subdomain rules),
// --authenticated-emails-file, --allowed-group, --skip-auth-route, --skip-auth-preflight and --trusted-ip
// (reference §1.8, §3.2, §6.4). The stack's "*" rule comes from OAUTH2_PROXY_EMAIL_DOMAINS, so each
// --email-domain flag given on a restart replaces it (a flag beats the environment).
import { strict as assert } from 'node:assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { devUser } from '../helpers/dev-users.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

const JSON_ACCEPT = { accept: 'application/json' }

function user(name: string, email: string, groups: string[] = []): DevUser {
  return devUser(name, { sub: name, email, groups })
}

describe('authorization rules', () => {
  let stack: Stack
  let url: string
  let dir: string

  before(async () => {
    stack = await startStack({
      env: { OAUTH2_PROXY_EMAIL_DOMAINS: '*' },
      replaceArgs: (defaults) => defaults.filter((a) => a !== '--email-domain=*'),
    })
    url = stack.proxy.url
    stack.idp.users.push(
      user('dave', 'dave@other.org'),
      user('erin', 'erin@sub.example.com'),
      user('frank', 'Frank@EXAMPLE.COM'),
      user('mallory', 'mallory@evil-example.com'),
      user('trudy', 'trudy@example.com.evil.org'),
      user('zed', 'zed@else.net'),
    )
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-authz-'))
  })
  after(async () => {
    await stack.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** Signs `login` in and returns whether the callback let them in (302 back with a session) or refused them (403). */
  async function outcome(login: string): Promise<'in' | 'refused'> {
    const { client, result } = await stack.signIn(login, '/landing')
    if (result.status === 302 && result.finalUrl === `${url}/landing` && client.jar.get(url, '_oauth2_proxy') !== undefined) return 'in'
    assert.equal(result.status, 403, `${login}: ${result.status} ${result.response.body.slice(0, 200)}`)
    assert.equal(client.jar.get(url, '_oauth2_proxy'), undefined, `${login} got no session`)
    return 'refused'
  }

  async function expectOutcomes(expected: Record<string, 'in' | 'refused'>): Promise<void> {
    const actual: Record<string, 'in' | 'refused'> = {}
    for (const login of Object.keys(expected)) actual[login] = await outcome(login)
    assert.deepEqual(actual, expected)
  }

  describe('--email-domain', () => {
    it('example.com lets in that domain only, ignoring case; not its subdomains or look-alikes', async () => {
      await stack.restartProxy(['--email-domain=example.com'])
      await expectOutcomes({ alice: 'in', frank: 'in', dave: 'refused', erin: 'refused', mallory: 'refused', trudy: 'refused' })
      // Without --skip-auth-preflight an OPTIONS request needs a session like any other.
      const options = await stack.client().request('OPTIONS', `${url}/private`, { headers: JSON_ACCEPT })
      assert.equal(options.status, 401)
    })

    for (const rule of ['.example.com', '*.example.com']) {
      it(`${rule} lets in subdomains but not example.com itself (oauth2-proxy's rule)`, async () => {
        await stack.restartProxy([`--email-domain=${rule}`])
        await expectOutcomes({ erin: 'in', alice: 'refused', mallory: 'refused', dave: 'refused' })
      })
    }

    it('several domains: any of them', async () => {
      await stack.restartProxy(['--email-domain=other.org,example.com'])
      await expectOutcomes({ dave: 'in', alice: 'in', zed: 'refused' })
    })
  })

  it('--authenticated-emails-file adds listed addresses (first CSV column, comments skipped, case ignored)', async () => {
    const file = join(dir, 'emails.txt')
    await writeFile(file, '# allowed people\nDAVE@other.org\n"zed@else.net",Zed\n  # mallory@evil-example.com\n')
    await stack.restartProxy(['--email-domain=example.com', `--authenticated-emails-file=${file}`])
    await expectOutcomes({ dave: 'in', zed: 'in', alice: 'in', mallory: 'refused', erin: 'refused' })
  })

  it('--allowed-group lets group members in, asks for the groups scope, and refuses others', async () => {
    await stack.restartProxy(['--email-domain=*', '--allowed-group=admins'])
    const start = await stack.client().get(`${url}/oauth2/start`)
    assert.ok(new URL(start.location ?? '').searchParams.get('scope')?.split(' ').includes('groups'), start.location)
    await expectOutcomes({ alice: 'in', bob: 'refused', zed: 'refused' })
    const { client } = await stack.signIn('alice')
    const echo = (await client.get(`${url}/x`, { headers: JSON_ACCEPT })).json<EchoReply>()
    assert.equal(echo.headers['x-forwarded-groups'], 'admins,developers')
  })

  it('refuses a sign-in without an email address, as oauth2-proxy (500, no session, no internal detail)', async () => {
    await stack.restartProxy(['--email-domain=*', '--scope=openid profile'])
    const { client, result } = await stack.signIn('alice', '/landing')
    assert.equal(result.status, 500)
    assert.equal(client.jar.get(url, '_oauth2_proxy'), undefined)
    assert.doesNotMatch(result.response.body, /id_token|profile URL/i)
    assert.match(result.response.body, /Request ID/)
  })

  describe('requests that skip authentication', () => {
    let alice: HttpClient

    before(async () => {
      await stack.restartProxy(['--email-domain=*', '--skip-auth-route=GET=^/public', '--skip-auth-route=/open$', '--skip-auth-preflight'])
      ;({ client: alice } = await stack.signIn('alice'))
    })

    async function statusOf(method: string, path: string, client: HttpClient = stack.client()): Promise<number> {
      return (await client.request(method, `${url}${path}`, { headers: { ...JSON_ACCEPT, 'x-forwarded-user': 'mallory' } })).status
    }

    it('--skip-auth-route=GET=^/public passes GET without a session, not POST, and never another path', async () => {
      const res = await stack.client().get(`${url}/public/page?x=1`, { headers: { ...JSON_ACCEPT, 'X-Forwarded-User': 'mallory' } })
      assert.equal(res.status, 200)
      const echo = res.json<EchoReply>()
      assert.equal(echo.path, '/public/page')
      assert.equal(echo.headers['x-forwarded-user'], undefined, 'no identity, and the client copy is stripped')
      assert.equal(await statusOf('POST', '/public/page'), 401)
      assert.equal(await statusOf('GET', '/private'), 401)
      assert.equal(await statusOf('GET', '/private?next=/public'), 401)
      assert.equal(await statusOf('GET', '/x/public'), 401, 'the regex is anchored')
    })

    it('a route without a method matches every method, on the path only (never the query)', async () => {
      assert.equal(await statusOf('GET', '/a/open'), 200)
      assert.equal(await statusOf('DELETE', '/a/open'), 200)
      assert.equal(await statusOf('GET', '/a/closed?then=/open'), 401)
    })

    it('a skipped route still carries the identity of a signed-in user', async () => {
      const echo = (await alice.get(`${url}/public/me`, { headers: JSON_ACCEPT })).json<EchoReply>()
      assert.equal(echo.headers['x-forwarded-user'], 'alice')
    })

    it('--skip-auth-preflight passes OPTIONS without a session', async () => {
      const res = await stack.client().request('OPTIONS', `${url}/private/api`, { headers: { origin: 'http://app.example', 'access-control-request-method': 'PUT' } })
      assert.equal(res.status, 200)
      assert.equal(res.json<EchoReply>().method, 'OPTIONS', 'proxied to the app')
      assert.equal((await stack.client().request('OPTIONS', `${url}/oauth2/auth`)).status, 202)
    })
  })

  describe('--trusted-ip', () => {
    it('127.0.0.1/32 passes every request from this machine without a session', async () => {
      await stack.restartProxy(['--email-domain=*', '--trusted-ip=127.0.0.1/32'])
      const res = await stack.client().get(`${url}/anything`, { headers: { accept: 'text/html' } })
      assert.equal(res.status, 200)
      assert.equal(res.json<EchoReply>().headers['x-forwarded-user'], undefined)
      assert.equal((await stack.client().get(`${url}/oauth2/auth`)).status, 202)
      const info = await stack.client().get(`${url}/oauth2/userinfo`)
      assert.equal(info.status, 200)
      assert.deepEqual(info.json(), {}, 'an allowed request without a session has no identity')
    })

    it('another network does not', async () => {
      await stack.restartProxy(['--email-domain=*', '--trusted-ip=10.0.0.0/8'])
      assert.equal((await stack.client().get(`${url}/anything`, { headers: JSON_ACCEPT })).status, 401)
    })
  })
})
