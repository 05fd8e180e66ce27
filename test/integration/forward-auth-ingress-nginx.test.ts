// Kubernetes ingress-nginx external auth, without Kubernetes: the exact subrequest its template builds for the
// `nginx.ingress.kubernetes.io/auth-url` annotation (kubernetes/ingress-nginx rootfs/etc/nginx/template/nginx.tmpl:
// Host of the auth URL, X-Original-URL "$scheme://$http_host$request_uri", X-Original-Method, X-Sent-From
// "nginx-ingress-controller", X-Real-IP, X-Forwarded-For, X-Auth-Request-Redirect "$request_uri", the client's
// other headers, no body). 2xx lets the request through, 401 sends the browser to `auth-signin`
// ("https://$host/oauth2/start?rd=$escaped_request_uri", https://kubernetes.github.io/ingress-nginx/examples/auth/oauth-external-auth/),
// 403 refuses.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { createClient, type HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

describe('ingress-nginx auth-url requests (docs/integrations/ingress-nginx.md)', () => {
  let stack: Stack
  let ingress: HttpClient
  let aliceCookie: string
  let bobCookie: string

  before(async () => {
    stack = await startStack({ args: ['--scope=openid email profile groups', '--reverse-proxy', '--trusted-proxy-ip=127.0.0.1', '--set-xauthrequest', '--whitelist-domain=app.example.com'] })
    ingress = createClient()
    const cookieOf = async (login: string): Promise<string> => {
      const { client } = await stack.signIn(login)
      const header = client.jar.header(`${stack.proxy.url}/`)
      assert.ok(header !== undefined)
      return header
    }
    aliceCookie = await cookieOf('alice')
    bobCookie = await cookieOf('bob')
  })
  after(() => stack.close())

  /** The subrequest for a browser's `GET https://app.example.com<uri>`. */
  function authRequest(uri: string, extra: Record<string, string> = {}, query = '') {
    return ingress.get(`${stack.proxy.url}/oauth2/auth${query}`, {
      headers: {
        Host: new URL(stack.proxy.url).host,
        'X-Original-URL': `https://app.example.com${uri}`,
        'X-Original-Method': 'GET',
        'X-Sent-From': 'nginx-ingress-controller',
        'X-Real-IP': '203.0.113.7',
        'X-Forwarded-For': '203.0.113.7',
        'X-Auth-Request-Redirect': uri,
        ...extra,
      },
      cookies: false,
    })
  }

  it('401 without a session: ingress-nginx then redirects to auth-signin', async () => {
    const res = await authRequest('/dashboard?tab=2')
    assert.equal(res.status, 401)
    assert.equal(res.location, undefined)
  })

  it('202 with the auth-response-headers for a signed-in user', async () => {
    const res = await authRequest('/dashboard', { Cookie: aliceCookie })
    assert.equal(res.status, 202)
    assert.equal(res.header('x-auth-request-user'), 'alice')
    assert.equal(res.header('x-auth-request-email'), 'alice@example.com')
    assert.equal(res.header('x-auth-request-groups'), 'admins,developers')
  })

  it('403 (not 401, so no sign-in loop) for a user outside allowed_groups in the auth-url query', async () => {
    assert.equal((await authRequest('/admin', { Cookie: bobCookie }, '?allowed_groups=admins')).status, 403)
    assert.equal((await authRequest('/admin', { Cookie: aliceCookie }, '?allowed_groups=admins')).status, 202)
  })

  it('auth-signin /oauth2/start?rd=$escaped_request_uri starts sign-in back to the page', async () => {
    const escaped = encodeURIComponent('/dashboard?tab=2&x=y')
    const res = await ingress.get(`${stack.proxy.url}/oauth2/start?rd=${escaped}`, { cookies: false })
    assert.equal(res.status, 302)
    const state = new URL(res.location ?? '').searchParams.get('state') ?? ''
    assert.equal(state.slice(state.indexOf(':') + 1), '/dashboard?tab=2&x=y')
    const absolute = encodeURIComponent('https://app.example.com/dashboard')
    const abs = await ingress.get(`${stack.proxy.url}/oauth2/start?rd=${absolute}`, { cookies: false })
    const absState = new URL(abs.location ?? '').searchParams.get('state') ?? ''
    assert.equal(absState.slice(absState.indexOf(':') + 1), 'https://app.example.com/dashboard', 'a whitelisted absolute rd')
  })
})
