// What the proxy answers before the app is reached: /oauth2/auth for nginx auth_request (202/401/403, never a
// redirect, never HTML) and the catch-all without a session or with a refused one (reference §3.3, §3.4).
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { parseForms } from '../helpers/html-form.js'
import type { HttpClient, HttpResponse } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

/** True when one Set-Cookie line deletes cookie `name`. */
function clears(setCookies: readonly string[], name: string): boolean {
  return setCookies.some((c) => c.startsWith(`${name}=;`) && /;\s*Max-Age=0(;|$)/i.test(c))
}

describe('/oauth2/auth and the catch-all', () => {
  let stack: Stack
  let url: string
  let alice: HttpClient
  let bob: HttpClient

  before(async () => {
    stack = await startStack({ args: ['--set-xauthrequest', '--scope=openid email profile groups'] })
    url = stack.proxy.url
    ;({ client: alice } = await stack.signIn('alice'))
    ;({ client: bob } = await stack.signIn('bob'))
  })
  after(() => stack.close())

  /** /oauth2/auth must only ever answer 202, 401 or 403, as text or empty, never HTML or a Location. */
  function assertAuthShape(res: HttpResponse): void {
    assert.ok([202, 401, 403].includes(res.status), `status ${res.status}`)
    assert.equal(res.header('location'), undefined)
    assert.doesNotMatch(res.header('content-type') ?? '', /html/)
    assert.doesNotMatch(res.body, /<html|<!DOCTYPE/i)
  }

  describe('/oauth2/auth', () => {
    it('answers 202 with the identity headers for a session', async () => {
      const res = await alice.get(`${url}/oauth2/auth`)
      assertAuthShape(res)
      assert.equal(res.status, 202)
      assert.equal(res.body, '')
      assert.equal(res.header('x-auth-request-user'), 'alice')
      assert.equal(res.header('x-auth-request-email'), 'alice@example.com')
      assert.equal(res.header('x-auth-request-preferred-username'), 'alice')
      assert.equal(res.header('x-auth-request-groups'), 'admins,developers')
      assert.equal(res.header('gap-auth'), 'alice@example.com')
      assert.equal(res.header('x-auth-request-access-token'), undefined, 'only with --pass-access-token')
    })

    it('answers 401 without a session, also to a browser, and with a forged cookie', async () => {
      for (const headers of [{}, BROWSER, { ...BROWSER, cookie: '_oauth2_proxy=AAAA|1700000000|AAAA' }]) {
        const res = await stack.client().get(`${url}/oauth2/auth`, { headers })
        assertAuthShape(res)
        assert.equal(res.status, 401)
        assert.equal(res.body, 'Unauthorized\n')
        assert.equal(res.header('x-auth-request-user'), undefined)
      }
    })

    it('answers 403 when the query constraints refuse a signed-in user, 202 when they allow', async () => {
      const cases: [HttpClient, string, number][] = [
        [alice, 'allowed_groups=admins', 202],
        [alice, 'allowed_groups=nobody', 403],
        [alice, 'allowed_groups=nobody,admins', 202],
        [alice, 'allowed_groups=nobody&allowed_groups=developers', 202],
        [bob, 'allowed_groups=admins', 403],
        [alice, 'allowed_emails=alice@example.com', 202],
        [alice, 'allowed_emails=bob@example.com', 403],
        [bob, 'allowed_emails=alice@example.com,bob@example.com', 202],
        [alice, 'allowed_email_domains=example.com', 202],
        [alice, 'allowed_email_domains=example.org', 403],
        // Whitelist-domain rules here (util.IsEndpointAllowed): `.example.com` covers example.com itself too.
        [alice, 'allowed_email_domains=.example.com', 202],
        [alice, 'allowed_email_domains=.sub.example.com', 403],
        [alice, 'allowed_groups=admins&allowed_emails=bob@example.com', 403],
        [alice, 'allowed_groups=admins&allowed_email_domains=example.com&allowed_emails=alice@example.com', 202],
      ]
      for (const [client, query, status] of cases) {
        const res = await client.get(`${url}/oauth2/auth?${query}`, { headers: BROWSER })
        assertAuthShape(res)
        assert.equal(res.status, status, query)
        if (status === 403) {
          assert.equal(res.body, 'Forbidden\n', query)
          assert.equal(res.setCookies.length, 0, 'a query refusal keeps the session')
        }
      }
      assert.equal((await alice.get(`${url}/oauth2/auth`)).status, 202, 'still signed in')
    })

    it('answers any method', async () => {
      for (const method of ['HEAD', 'POST', 'PUT', 'DELETE']) {
        const res = await alice.request(method, `${url}/oauth2/auth`)
        assertAuthShape(res)
        assert.equal(res.status, 202, method)
      }
    })
  })

  describe('the catch-all without a session', () => {
    it('shows a browser the sign-in page with status 403, carrying the requested path and query', async () => {
      const res = await stack.client().get(`${url}/reports/q3?year=2026&f=a%20b`, { headers: { ...BROWSER, cookie: '_oauth2_proxy=stale' } })
      assert.equal(res.status, 403)
      assert.match(res.header('content-type') ?? '', /^text\/html/)
      const form = parseForms(res.body, res.url).find((f) => new URL(f.action).pathname === '/oauth2/start')
      assert.ok(form !== undefined, 'a sign-in button')
      assert.equal(form.fields.rd, '/reports/q3?year=2026&f=a%20b')
      assert.ok(clears(res.setCookies, '_oauth2_proxy'), 'the broken session cookie is deleted')
    })

    it('answers 401 {} to an API client (Accept: application/json), whatever else Accept lists', async () => {
      for (const accept of ['application/json', 'text/html, application/json;q=0.5', 'APPLICATION/JSON']) {
        const res = await stack.client().get(`${url}/data`, { headers: { accept } })
        assert.equal(res.status, 401, accept)
        assert.match(res.header('content-type') ?? '', /^application\/json/)
        assert.deepEqual(res.json(), {})
      }
      const notJson = await stack.client().get(`${url}/data`, { headers: { accept: 'application/jsonx' } })
      assert.equal(notJson.status, 403, 'only the exact media type counts')
    })

    it('answers 401 {} on an --api-route (path and query) even to a browser', async () => {
      await stack.restartProxy(['--api-route=^/api', '--api-route=[?&]format=json'])
      const api = await stack.client().get(`${url}/api/things?id=1`, { headers: BROWSER })
      assert.equal(api.status, 401)
      assert.deepEqual(api.json(), {})
      const byQuery = await stack.client().get(`${url}/report?x=1&format=json`, { headers: BROWSER })
      assert.equal(byQuery.status, 401, 'api routes match the path and the query')
      const page = await stack.client().get(`${url}/apx`, { headers: BROWSER })
      assert.equal(page.status, 403)
      assert.match(page.header('content-type') ?? '', /^text\/html/)
    })

    it('sends a browser straight to the IdP with --skip-provider-button, API clients still get 401', async () => {
      await stack.restartProxy(['--skip-provider-button'])
      const authPath = `${new URL(stack.idp.issuer).origin}/auth`
      const page = await stack.client().get(`${url}/reports?y=1`, { headers: BROWSER })
      assert.equal(page.status, 302)
      const to = new URL(page.location ?? '')
      assert.equal(`${to.origin}${to.pathname}`, authPath)
      assert.match(to.searchParams.get('state') ?? '', /:\/reports\?y=1$/)
      assert.ok(page.setCookies.some((c) => c.startsWith('_oauth2_proxy_csrf=')))

      const signIn = await stack.client().get(`${url}/oauth2/sign_in?rd=%2Fthere`, { headers: BROWSER })
      assert.equal(signIn.status, 302)
      assert.equal(new URL(signIn.location ?? '').pathname, '/auth')
      assert.match(new URL(signIn.location ?? '').searchParams.get('state') ?? '', /:\/there$/)

      const api = await stack.client().get(`${url}/reports`, { headers: { accept: 'application/json' } })
      assert.equal(api.status, 401)
      const auth = await stack.client().get(`${url}/oauth2/auth`, { headers: BROWSER })
      assertAuthShape(auth)
      assert.equal(auth.status, 401, '/oauth2/auth never redirects')

      const { result } = await stack.signIn('alice', '/reports?y=1')
      assert.equal(result.finalUrl, `${url}/reports?y=1`, 'the direct login completes')
    })
  })

  describe('a signed-in user the rules refuse', () => {
    it('gets 403 on the catch-all and 401 on /oauth2/auth, loses the session cookie, and cannot sign in again', async () => {
      // bob signed in under the first configuration; --allowed-group applies to every request, not only at login.
      const bobCookie = bob.jar.header(url)
      assert.ok(bobCookie !== undefined)
      await stack.restartProxy(['--allowed-group=admins'])
      const auth = await stack.client().get(`${url}/oauth2/auth`, { headers: { cookie: bobCookie } })
      assertAuthShape(auth)
      assert.equal(auth.status, 401, 'oauth2-proxy answers 401 when the session fails the global rules')
      assert.ok(clears(auth.setCookies, '_oauth2_proxy'), auth.setCookies.join('\n'))

      const page = await stack.client().get(`${url}/anything`, { headers: { ...BROWSER, cookie: bobCookie } })
      assert.equal(page.status, 403)
      assert.match(page.header('content-type') ?? '', /^text\/html/)
      assert.ok(clears(page.setCookies, '_oauth2_proxy'), page.setCookies.join('\n'))
      const api = await stack.client().get(`${url}/anything`, { headers: { accept: 'application/json', cookie: bobCookie } })
      assert.equal(api.status, 403)
      assert.doesNotMatch(api.body, /alice|bob@/)

      const again = await stack.signIn('bob', '/anything')
      assert.equal(again.result.status, 403, 'the callback refuses him too')
      assert.equal(again.client.jar.get(url, '_oauth2_proxy'), undefined)

      const aliceOk = await alice.get(`${url}/anything`, { headers: { accept: 'application/json' } })
      assert.equal(aliceOk.status, 200, 'a member of the group passes')
      assert.equal((await alice.get(`${url}/oauth2/auth`)).status, 202)
    })
  })
})
