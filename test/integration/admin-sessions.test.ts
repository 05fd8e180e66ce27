// The session admin listener through real processes: Redis, the dev IdP, gatehouse with --admin-address. Bearer-token
// and admin-group access, 403 for everyone else, listing with sign-in IP and user agent, revocation of one session and
// of a user's, the audit log, the admin page in Chromium (revoke button, CSRF), and start-up refused on a public address
// without a token.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { launchBrowser } from '../helpers/browser.js'
import { freePort, runGatehouse } from '../helpers/process.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { getWith, startRedisStack, type RedisStack } from '../helpers/redis-stack.js'

const TOKEN = 'admin-token-0123456789abcdef'

interface Listed { sessions: Array<{ id: string; user: string; email: string; ip: string; userAgent: string; signedInAt: number }>; next: number | null }

describe('session admin API and page', () => {
  let redis: RedisServer
  let stack: RedisStack
  let admin: string
  let browser: Browser | undefined
  before(async () => {
    redis = await startRedis()
    const port = await freePort()
    admin = `http://127.0.0.1:${port}`
    stack = await startRedisStack([`--redis-connection-url=${redis.url}`], [`--admin-address=127.0.0.1:${port}`, `--admin-token=${TOKEN}`, '--admin-group=admins', '--scope=openid email profile groups'])
  })
  after(async () => {
    await browser?.close()
    await stack?.close()
    await redis?.stop()
  })

  const bearer = { authorization: `Bearer ${TOKEN}` }

  it('refuses anyone who is not an admin with 403 and nothing else', async () => {
    const { client: bob } = await stack.signIn('bob')
    const anonymous = await stack.client().get(`${admin}/sessions`)
    assert.equal(anonymous.status, 403)
    assert.deepEqual(anonymous.json(), { error: 'forbidden' })
    assert.equal((await stack.client().get(`${admin}/sessions`, { headers: { authorization: 'Bearer wrong-token-0123456789abcd' } })).status, 403)
    const asBob = await stack.client().get(`${admin}/sessions?user=bob`, { cookies: false, headers: { cookie: bob.jar.header(stack.proxy.url) ?? '' } })
    assert.equal(asBob.status, 403)
    assert.deepEqual(asBob.json(), { error: 'forbidden' })
    assert.equal((await stack.client().request('DELETE', `${admin}/sessions/0123456789abcdef0123456789abcdef`)).status, 403)
  })

  it('lists a user\'s sessions with sign-in IP and user agent, revokes one, then all of them, and writes an audit event', async () => {
    const first = await stack.signIn('bob')
    const second = await stack.signIn('bob')
    const listed = await stack.client().get(`${admin}/sessions?user=bob`, { headers: bearer })
    assert.equal(listed.status, 200)
    const body = listed.json<Listed>()
    assert.ok(body.sessions.length >= 2)
    assert.equal(body.sessions[0]?.ip, '127.0.0.1')
    assert.doesNotMatch(listed.body, /accessToken|idToken|refreshToken|secret/)
    const paged = await stack.client().get(`${admin}/sessions?user=bob&limit=1`, { headers: bearer })
    assert.equal(paged.json<Listed>().sessions.length, 1)
    assert.equal(paged.json<Listed>().next, 1)
    const byEmail = await stack.client().get(`${admin}/sessions?user=BOB@example.com`, { headers: bearer })
    assert.equal(byEmail.json<Listed>().sessions.length, body.sessions.length)

    const id = body.sessions.at(-1)?.id ?? ''
    const one = await stack.client().request('DELETE', `${admin}/sessions/${id}?reason=stolen%20laptop`, { headers: bearer })
    assert.equal(one.status, 200)
    const statuses = [(await getWith(first.client, stack, stack.proxy, '/oauth2/auth')).status, (await getWith(second.client, stack, stack.proxy, '/oauth2/auth')).status].sort()
    assert.deepEqual(statuses, [202, 401], 'exactly one of the two sessions ended')
    assert.equal((await stack.client().request('DELETE', `${admin}/sessions/${id}`, { headers: bearer })).status, 404)
    const logs = await stack.proxy.waitForLog(/"event":"session\.revoked".*"reason":"stolen laptop"/)
    assert.match(logs, /"by":"admin-token","user":"bob@example.com"/)

    const all = await stack.client().request('DELETE', `${admin}/sessions?user=bob`, { headers: bearer })
    assert.equal(all.status, 200)
    assert.equal((await getWith(first.client, stack, stack.proxy, '/oauth2/auth')).status, 401)
    assert.equal((await getWith(second.client, stack, stack.proxy, '/oauth2/auth')).status, 401)
    assert.equal((await stack.client().get(`${admin}/sessions?user=bob`, { headers: bearer })).json<Listed>().sessions.length, 0)
  })

  it('serves an admin page to a member of the admin group; its revoke button works and needs the CSRF token', async () => {
    const victim = await stack.signIn('bob')
    browser = await launchBrowser()
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${stack.proxy.url}/oauth2/start?rd=%2F`)
    await page.fill('input[name=login]', 'alice')
    await page.fill('input[name=password]', 'alice-password')
    await Promise.all([page.waitForURL((u) => u.href.startsWith(`${stack.proxy.url}/`)), page.click('button[type=submit]')])
    const res = await page.goto(`${admin}/?user=bob`)
    assert.equal(res?.status(), 200)
    const rows = page.locator('tr[data-session]')
    assert.equal(await rows.count(), 1)
    await Promise.all([page.waitForURL((u) => u.searchParams.has('revoked')), rows.first().locator('button').click()])
    assert.match((await page.textContent('body')) ?? '', /Session revoked/)
    assert.equal((await getWith(victim.client, stack, stack.proxy, '/oauth2/auth')).status, 401)
    // The same POST without the page's token (a cross-site form) is refused.
    const cookie = (await context.cookies(stack.proxy.url)).map((c) => `${c.name}=${c.value}`).join('; ')
    const forged = await stack.client().post(`${admin}/revoke`, { id: '0123456789abcdef0123456789abcdef', csrf: 'guess' }, { cookies: false, headers: { cookie } })
    assert.equal(forged.status, 403)
    await context.close()
  })

  it('refuses to start with the admin listener on a public address without a token', async () => {
    const run = await runGatehouse({ args: ['--provider=oidc', '--oidc-issuer-url=http://127.0.0.1:1', '--client-id=x', '--client-secret=y', `--cookie-secret=${'a'.repeat(32)}`, '--email-domain=*', '--upstream=http://127.0.0.1:1/', '--admin-address=0.0.0.0:0', '--admin-group=admins', `--http-address=127.0.0.1:${await freePort()}`] })
    assert.notEqual(run.code, 0)
    assert.match(run.logs, /admin-address.*reachable beyond this machine/)
  })
})
