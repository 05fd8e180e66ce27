// Several identity providers in one instance, through the real proxy: two development IdPs as the providers of the
// cookbook file docs/examples/policy/two-providers.yaml (staff: alice, bob; partners: dana in "partners", erin in
// no group). Each login goes to the provider it chose, the session remembers it, and refresh, sign-out and the
// route that accepts only staff go by it; Chromium clicks the second provider's button on the sign-in page.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { CHROMIUM_PATH, launchBrowser } from '../helpers/browser.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { startTwoIdps, type TwoIdps } from '../helpers/two-idps.js'

let env: TwoIdps
let url: string

async function signIn(login: string, provider?: string): Promise<{ client: HttpClient; status: number }> {
  const client = createClient()
  const start = `${url}/oauth2/start?rd=%2F${provider === undefined ? '' : `&provider=${provider}`}`
  const result = await loginViaHttp(client, start, { login, password: `${login}-password` })
  return { client, status: result.status }
}

const refreshes = (idp: TwoIdps['staff']): number => idp.stats.tokenGrants['refresh_token'] ?? 0

before(async () => {
  env = await startTwoIdps('two-providers.yaml', ['--cookie-refresh=1s', '--reverse-proxy=true', '--trusted-proxy-ip=127.0.0.1', '--set-identity-assertion=true'])
  url = env.proxy.url
})
after(async () => {
  await env?.close()
})

describe('two identity providers (docs/examples/policy/two-providers.yaml)', () => {
  it('offers one button per provider on the sign-in page', async () => {
    const page = await createClient().get(`${url}/somewhere`)
    assert.equal(page.status, 403)
    assert.match(page.body, /<input type="hidden" name="provider" value="staff">\n<button type="submit" class="button">Sign in with Staff SSO<\/button>/)
    assert.match(page.body, /<input type="hidden" name="provider" value="partners">\n<button type="submit" class="button">Sign in with Partner login<\/button>/)
  })

  it('/oauth2/start picks the provider: ?provider=ID, else the route\'s first accepted, else the first; an unknown id is a 400', async () => {
    const client = createClient()
    const to = async (query: string): Promise<string> => (await client.get(`${url}/oauth2/start?${query}`)).location ?? ''
    assert.ok((await to('rd=%2F')).startsWith(env.staff.issuer))
    assert.ok((await to('rd=%2F&provider=partners')).startsWith(env.partners.issuer))
    assert.ok((await to('rd=%2Fadmin%2Fx&provider=partners')).startsWith(env.partners.issuer), 'an explicit choice wins')
    assert.ok((await to('rd=%2Fadmin%2Fx')).startsWith(env.staff.issuer))
    const unknown = await client.get(`${url}/oauth2/start?rd=%2F&provider=nope`)
    assert.equal(unknown.status, 400)
  })

  it('signs users in through each provider; the callback redeems at the provider the state names', async () => {
    const staffGrants = env.staff.stats.tokenGrants['authorization_code'] ?? 0
    const partnerGrants = env.partners.stats.tokenGrants['authorization_code'] ?? 0
    const alice = await signIn('alice')
    const dana = await signIn('dana', 'partners')
    assert.equal(alice.status, 302)
    assert.equal(dana.status, 302)
    assert.equal(env.staff.stats.tokenGrants['authorization_code'], staffGrants + 1)
    assert.equal(env.partners.stats.tokenGrants['authorization_code'], partnerGrants + 1)
    const seenByApp = async (client: HttpClient): Promise<{ email: unknown; idp: unknown }> => {
      const headers = (await client.get(`${url}/`)).json<EchoReply>().headers
      const assertion = String(headers['x-gatehouse-assertion'] ?? '')
      const claims = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { idp?: unknown }
      return { email: headers['x-forwarded-email'], idp: claims.idp }
    }
    assert.deepEqual(await seenByApp(alice.client), { email: 'alice@example.com', idp: 'staff' }, 'the assertion names the session\'s provider')
    assert.deepEqual(await seenByApp(dana.client), { email: 'dana@partner.example.net', idp: 'partners' })
    await env.proxy.waitForLog(/"event":"auth.login.success"[^\n]*"provider":"partners"/)
  })

  it('applies each provider\'s allowedGroups to its own sessions only', async () => {
    const erin = await signIn('erin', 'partners')
    assert.equal(erin.status, 403, 'partners requires the group "partners"')
    await env.proxy.waitForLog(/"event":"auth.login.denied"[^\n]*"rule":"allowed_groups"/)
    assert.equal((await signIn('bob')).status, 302, 'staff has no group rule')
  })

  it('a route that names its providers treats a session from another as no session there', async () => {
    const alice = (await signIn('alice')).client
    const dana = (await signIn('dana', 'partners')).client
    assert.equal((await alice.get(`${url}/admin/users`)).status, 200)
    const api = await dana.get(`${url}/admin/users`, { headers: { accept: 'application/json' } })
    assert.equal(api.status, 401)
    const auth = await dana.get(`${url}/oauth2/auth`, { headers: { 'x-forwarded-uri': '/admin/users', 'x-forwarded-host': '127.0.0.1' } })
    assert.equal(auth.status, 401, 'forward auth answers 401: sign in with an accepted provider')
    assert.equal((await dana.get(`${url}/oauth2/auth`, { headers: { 'x-forwarded-uri': '/reports' } })).status, 202, 'the session still counts elsewhere')
    await env.proxy.waitForLog(/"reason":"other_provider"[^\n]*"provider":"partners"/)
    const page = await dana.get(`${url}/admin/users`)
    assert.equal(page.status, 403)
    assert.match(page.body, /Sign in with Staff SSO/)
    assert.doesNotMatch(page.body, /Partner login/, 'the sign-in page offers only the providers the route accepts')
  })

  it('refreshes each session at its own provider, and the refreshed session keeps its provider', async () => {
    const dana = (await signIn('dana', 'partners')).client
    const [staffBefore, partnersBefore] = [refreshes(env.staff), refreshes(env.partners)]
    // --cookie-refresh=1s: a session older than a second (its age counted in whole seconds) is refreshed.
    await new Promise((r) => setTimeout(r, 2_100))
    const res = await dana.get(`${url}/`)
    assert.equal(res.status, 200)
    assert.ok(res.setCookies.some((c) => c.startsWith('_oauth2_proxy=')), 'the refreshed session is saved')
    assert.equal(refreshes(env.partners), partnersBefore + 1)
    assert.equal(refreshes(env.staff), staffBefore)
    assert.equal((await dana.get(`${url}/admin/users`, { headers: { accept: 'application/json' } })).status, 401, 'still a partners session')
  })

  it('signs out through the session\'s provider: only partners has a backend logout', async () => {
    const alice = (await signIn('alice')).client
    const dana = (await signIn('dana', 'partners')).client
    const before = env.partners.stats.endSessionCalls
    assert.equal((await alice.get(`${url}/oauth2/sign_out`)).status, 302)
    assert.equal(env.partners.stats.endSessionCalls, before, 'a staff session does not end a partners session')
    assert.equal(env.staff.stats.endSessionCalls, 0)
    assert.equal((await dana.get(`${url}/oauth2/sign_out`)).status, 302)
    assert.equal(env.partners.stats.endSessionCalls, before + 1)
    assert.equal((await dana.get(`${url}/`, { headers: { accept: 'application/json' } })).status, 401)
  })

  it('Chromium: the sign-in page\'s second button signs in at the second provider', async () => {
    let browser
    try {
      browser = await launchBrowser()
    } catch (err) {
      throw new Error(`headless Chromium could not start (${CHROMIUM_PATH}); this test needs it: ${(err as Error).message}`)
    }
    try {
      const page = await (await browser.newContext()).newPage()
      page.setDefaultTimeout(15_000)
      assert.equal((await page.goto(`${url}/welcome`))?.status(), 403)
      const button = page.locator('form[action="/oauth2/start"] button[type=submit]', { hasText: 'Partner login' })
      await Promise.all([page.waitForURL((u) => u.href.startsWith(env.partners.issuer)), button.click()])
      await page.fill('input[name=login]', 'dana')
      await page.fill('input[name=password]', 'dana-password')
      await Promise.all([page.waitForURL(`${url}/welcome`), page.click('button[type=submit]')])
      assert.match((await page.textContent('body')) ?? '', /"x-forwarded-email":"dana@partner\.example\.net"/)
    } finally {
      await browser.close()
    }
  })
})
