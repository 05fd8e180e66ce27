// Traefik's forwardAuth middleware, without Traefik: the exact request it makes to gatehouse. Per the Traefik
// docs (https://doc.traefik.io/traefik/middlewares/http/forwardauth/) it sends the client's headers plus
// X-Forwarded-Method, -Proto, -Host, -Uri and -For; a 2xx answer lets the request through (copying the
// authResponseHeaders onto it), any other answer goes back to the client as is.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { fromAddress } from '../helpers/examples.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

describe('Traefik forwardAuth requests (docs/integrations/traefik.md)', () => {
  let stack: Stack
  let traefik: HttpClient
  let outsider: HttpClient
  let aliceCookie: string
  let bobCookie: string

  before(async () => {
    stack = await startStack({
      args: ['--scope=openid email profile groups', '--reverse-proxy', '--trusted-proxy-ip=127.0.0.1', '--set-xauthrequest', '--whitelist-domain=app.example.com', '--skip-auth-route=GET=^/health$'],
    })
    traefik = createClient({ dispatcher: fromAddress('127.0.0.1') })
    outsider = createClient({ dispatcher: fromAddress('127.0.0.2') })
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

  /** What Traefik sends for a browser's `method https://app.example.com<uri>` (the client's Cookie included). */
  function forwardAuth(client: HttpClient, uri: string, extra: Record<string, string> = {}, path = '/oauth2/auth') {
    return client.get(`${stack.proxy.url}${path}`, {
      headers: {
        'X-Forwarded-Method': 'GET',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': 'app.example.com',
        'X-Forwarded-Uri': uri,
        'X-Forwarded-For': '203.0.113.7',
        Accept: 'text/html',
        ...extra,
      },
      cookies: false,
    })
  }

  it('401 without a session (the errors middleware then serves /oauth2/sign_in)', async () => {
    const res = await forwardAuth(traefik, '/reports')
    assert.equal(res.status, 401)
    assert.equal(res.location, undefined, 'never a redirect from /oauth2/auth')
  })

  it('202 with a session, carrying the headers listed in authResponseHeaders', async () => {
    const res = await forwardAuth(traefik, '/reports', { Cookie: aliceCookie })
    assert.equal(res.status, 202)
    assert.equal(res.header('x-auth-request-user'), 'alice')
    assert.equal(res.header('x-auth-request-email'), 'alice@example.com')
    assert.equal(res.header('gap-auth'), 'alice@example.com')
  })

  it('403 for a signed-in user outside allowed_groups, 202 for a member', async () => {
    assert.equal((await forwardAuth(traefik, '/admin', { Cookie: bobCookie }, '/oauth2/auth?allowed_groups=admins')).status, 403)
    assert.equal((await forwardAuth(traefik, '/admin', { Cookie: aliceCookie }, '/oauth2/auth?allowed_groups=admins')).status, 202)
  })

  it('skip-auth routes match X-Forwarded-Uri and X-Forwarded-Method from Traefik, not from others', async () => {
    assert.equal((await forwardAuth(traefik, '/health')).status, 202)
    assert.equal((await forwardAuth(traefik, '/health', { 'X-Forwarded-Method': 'POST' })).status, 401)
    assert.equal((await forwardAuth(outsider, '/health')).status, 401)
  })

  it('the sign-in page the errors middleware serves (query "/oauth2/sign_in?rd={url}") returns to the original URL', async () => {
    const rd = encodeURIComponent('https://app.example.com/reports?y=1')
    const page = await traefik.get(`${stack.proxy.url}/oauth2/sign_in?rd=${rd}`, { cookies: false })
    assert.match(page.body, /name="rd" value="https:\/\/app\.example\.com\/reports\?y=1"/)
    // Without rd, the forwarded host and URI from Traefik make the redirect.
    const start = await forwardAuth(traefik, '/reports?y=1', {}, '/oauth2/start')
    const state = new URL(start.location ?? '').searchParams.get('state') ?? ''
    assert.equal(state.slice(state.indexOf(':') + 1), 'https://app.example.com/reports?y=1')
  })
})
