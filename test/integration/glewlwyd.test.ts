// gatehouse against Glewlwyd, an OpenID provider independent of the development IdP (C, Debian's package): sign-in
// with a nonce, identity headers upstream, refresh, sign-out, and a client id with '-' and '.' sent in HTTP Basic
// as oauth2-proxy sends it (Glewlwyd does not percent-decode the header). The client may only use HTTP Basic, so a
// fallback to the secret in the form cannot hide a wrong encoding.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { startGlewlwyd, type Glewlwyd, type GlewlwydUser } from '../helpers/glewlwyd.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { freePort, startGatehouse, type Gatehouse } from '../helpers/process.js'
import { sessionInCookie } from '../helpers/session-cookie.js'

const CLIENT_ID = 'oauth2-proxy.test-client'
const SECRET = 'oauth2-proxy_secret.1~x'
const ALICE: GlewlwydUser = { username: 'alice', password: 'alice-password', email: 'alice@example.com', name: 'Alice' }

describe('Glewlwyd as the OpenID provider', () => {
  let idp: Glewlwyd
  let echo: EchoApp
  let proxy: Gatehouse
  let url: string
  const cookieSecret = randomBytes(32).toString('base64url')

  const args = (secret: string): string[] => [
    '--provider=oidc',
    `--oidc-issuer-url=${idp.issuer}`,
    `--client-id=${CLIENT_ID}`,
    `--client-secret=${secret}`,
    '--insecure-oidc-skip-nonce=false',
    '--code-challenge-method=S256',
    `--cookie-secret=${cookieSecret}`,
    '--cookie-secure=false',
    '--cookie-refresh=1s',
    '--email-domain=*',
    `--upstream=${echo.url}/`,
    `--redirect-url=${url}/oauth2/callback`,
    `--http-address=${url.replace('http://', '')}`,
  ]

  before(async () => {
    ;[idp, echo] = await Promise.all([startGlewlwyd(), startEchoApp()])
    url = `http://127.0.0.1:${await freePort()}`
    await idp.addUser(ALICE)
    await idp.addClient({ clientId: CLIENT_ID, secret: SECRET, redirectUris: [`${url}/oauth2/callback`] })
    proxy = await startGatehouse({ args: args(SECRET) })
  })
  after(async () => {
    await Promise.allSettled([proxy?.stop(), idp?.stop(), echo?.close()])
  })

  /** Starts at `/oauth2/start`, signs in at Glewlwyd, and returns the proxy's answer to the callback. */
  async function signIn(client: HttpClient, rd = '/app'): Promise<{ status: number; location: string | undefined; body: string }> {
    const start = await client.get(`${url}/oauth2/start?rd=${encodeURIComponent(rd)}`)
    assert.equal(start.status, 302)
    const authorization = new URL(start.location ?? '')
    assert.equal(authorization.origin + authorization.pathname, `${idp.issuer}/auth`)
    assert.ok(authorization.searchParams.get('nonce'), 'a nonce is sent (--insecure-oidc-skip-nonce=false)')
    const toLogin = await client.get(authorization)
    assert.equal(toLogin.status, 302, `Glewlwyd sends the browser to its login page: ${toLogin.body}`)
    const callback = await idp.login(client, toLogin.location ?? '', ALICE)
    assert.ok(callback.startsWith(`${url}/oauth2/callback?`), callback)
    const res = await client.get(callback)
    return { status: res.status, location: res.location, body: res.body }
  }

  it('signs in with the code flow, the nonce checked, the client authenticated by HTTP Basic as Go encodes it', async () => {
    const client = createClient()
    const res = await signIn(client)
    assert.equal(res.status, 302, res.body)
    assert.equal(res.location, `${url}/app`)
    const session = sessionInCookie(client, url, cookieSecret)
    assert.equal(session.email, ALICE.email)
    assert.ok(session.idToken && session.refreshToken, 'ID and refresh tokens kept')
    assert.doesNotMatch(proxy.logs(), /with HTTP Basic first/, 'the header was accepted at the first try')
    assert.match(idp.logs(), new RegExp(`Event - Client '${CLIENT_ID.replace(/\./g, '\\.')}' added`))
  })

  it('sends the identity headers to the upstream', async () => {
    const client = createClient()
    await signIn(client)
    const res = await client.get(`${url}/whoami`)
    assert.equal(res.status, 200)
    const reply = res.json<EchoReply>()
    assert.equal(reply.headers['x-forwarded-email'], ALICE.email)
    const user = reply.headers['x-forwarded-user']
    assert.ok(typeof user === 'string' && user !== '' && user === sessionInCookie(client, url, cookieSecret).user, 'the user is the ID token subject')
  })

  it('refreshes the session with the refresh token once --cookie-refresh has passed', async () => {
    const client = createClient()
    await signIn(client)
    const first = sessionInCookie(client, url, cookieSecret)
    await new Promise((r) => setTimeout(r, 2100))
    const res = await client.get(`${url}/after-refresh`)
    assert.equal(res.status, 200)
    assert.ok(res.setCookies.some((c) => c.startsWith('_oauth2_proxy=')), 'the refreshed session is written back')
    const second = sessionInCookie(client, url, cookieSecret)
    assert.notEqual(second.accessToken, first.accessToken)
    assert.equal(second.email, ALICE.email)
    await proxy.waitForLog('session.refresh.success')
  })

  it('signs out: the cookie is cleared and the next request has no session', async () => {
    const client = createClient()
    await signIn(client)
    const out = await client.get(`${url}/oauth2/sign_out?rd=${encodeURIComponent('/bye')}`)
    assert.equal(out.status, 302)
    assert.equal(out.location, `${url}/bye`)
    assert.ok(out.setCookies.some((c) => c.startsWith('_oauth2_proxy=') && /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)))
    const after = await client.get(`${url}/private`, { headers: { accept: 'application/json' } })
    assert.equal(after.status, 401)
  })

  it("logs Glewlwyd's error when it refuses the client, without the secret or the code", async () => {
    const wrong = 'not-the-secret-42'
    await proxy.stop()
    proxy = await startGatehouse({ args: args(wrong) })
    try {
      const client = createClient()
      const res = await signIn(client)
      assert.equal(res.status, 500)
      const line = (await proxy.waitForLog('code exchange failed')).split('\n').find((l) => l.includes('code exchange failed')) ?? ''
      assert.match(line, /the token endpoint answered 403 unauthorized_client/)
      assert.match(line, /with HTTP Basic first: the token endpoint answered 403 unauthorized_client/)
      assert.doesNotMatch(proxy.logs(), new RegExp(wrong))
      assert.doesNotMatch(line, /code=|"code"/)
    } finally {
      await proxy.stop()
      proxy = await startGatehouse({ args: args(SECRET) })
    }
  })
})
