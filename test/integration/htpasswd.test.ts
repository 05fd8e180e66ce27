// --htpasswd-file through the real process: bcrypt ($2a$, $2b$, $2y$) and {SHA} entries written with the same bcrypt
// package gatehouse uses and node:crypto; Basic auth on requests, the sign-in form POST, --htpasswd-user-group, the
// file re-read when it changes, and bad files refused at start with the line (reference §3.5, §3.14, §1.8).
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { bcryptHash } from '../../src/crypto/bcrypt.js'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { findPasswordForm, submitForm } from '../helpers/html-form.js'
import type { HttpClient, HttpResponse } from '../helpers/http.js'
import { runGatehouse } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

const sha = (password: string): string => `{SHA}${createHash('sha1').update(password).digest('base64')}`
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
/** bcryptjs writes $2b$; the $2a$ and $2y$ forms of the same hash verify the same way (htpasswd -B writes $2y$). */
const withPrefix = (hash: string, prefix: string): string => `${prefix}${hash.slice(4)}`

describe('htpasswd users', () => {
  let dir: string
  let file: string
  let stack: Stack
  let url: string
  let hashes: { alice: string; bob: string; erin: string }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-htpasswd-'))
    file = join(dir, 'users.htpasswd')
    const [a, b, e] = await Promise.all([bcryptHash('alice-pw', 4), bcryptHash('bob:pw', 4), bcryptHash('erin-pw', 4)])
    hashes = { alice: withPrefix(a, '$2y$'), bob: withPrefix(b, '$2a$'), erin: e }
    writeFileSync(file, `# users\nalice:${hashes.alice}\nbob:${hashes.bob}\n\ncarol:${sha('carol-pw')}\n`)
    stack = await startStack({ args: [`--htpasswd-file=${file}`, '--htpasswd-user-group=admins', '--htpasswd-user-group=ops', '--skip-auth-route=GET=^/public'] })
    url = stack.proxy.url
  })
  after(async () => {
    await stack.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function upstreamAs(authorization: string, path = '/app'): Promise<{ status: number; echo?: EchoReply; setCookies: string[] }> {
    const r = await stack.client().get(`${url}${path}`, { headers: { authorization, accept: 'application/json' } })
    return { status: r.status, setCookies: r.setCookies, ...(r.status === 200 ? { echo: r.json<EchoReply>() } : {}) }
  }

  it('lets Basic auth through for $2y$, $2a$ and {SHA} users, with the htpasswd groups and no cookie', async () => {
    for (const [user, password] of [['alice', 'alice-pw'], ['bob', 'bob:pw'], ['carol', 'carol-pw']] as const) {
      const r = await upstreamAs(basic(user, password))
      assert.equal(r.status, 200, user)
      assert.equal(r.echo?.headers['x-forwarded-user'], user)
      assert.equal(r.echo?.headers['x-forwarded-groups'], 'admins,ops')
      assert.deepEqual(r.setCookies, [], 'Basic sessions are never stored')
    }
  })

  it('answers a wrong password, an unknown user or a malformed header like no credentials at all', async () => {
    for (const authorization of [basic('alice', 'wrong'), basic('nobody', 'alice-pw'), basic('carol', 'carol-pw ').slice(0, -2), 'Basic', 'basic ' + basic('alice', 'alice-pw').slice(6), 'Basic  x']) {
      const r = await upstreamAs(authorization)
      assert.equal(r.status, 401, authorization)
    }
    assert.match(stack.proxy.logs(), /auth\.basic\.failure/)
    assert.doesNotMatch(stack.proxy.logs(), /alice-pw|carol-pw/, 'passwords never reach the log')
  })

  it('answers /oauth2/auth with 202 for Basic credentials and 401 without', async () => {
    const ok = await stack.client().get(`${url}/oauth2/auth`, { headers: { authorization: basic('carol', 'carol-pw') } })
    assert.equal(ok.status, 202)
    assert.equal(ok.header('gap-auth'), 'carol')
    const no = await stack.client().get(`${url}/oauth2/auth`, { headers: { authorization: basic('carol', 'nope') } })
    assert.equal(no.status, 401)
  })

  it('leaves skip-auth routes public whatever the Authorization header says', async () => {
    assert.equal((await upstreamAs(basic('alice', 'wrong'), '/public/x')).status, 200)
    const signedIn = await upstreamAs(basic('alice', 'alice-pw'), '/public/x')
    assert.equal(signedIn.echo?.headers['x-forwarded-user'], 'alice', 'a valid session still gives identity headers')
  })

  /** Opens the sign-in page as a browser would and posts its password form with `fields` over the page's own. */
  async function postForm(client: HttpClient, fields: Record<string, string>, rd = '/'): Promise<HttpResponse> {
    const page = await client.get(`${url}/oauth2/sign_in?rd=${encodeURIComponent(rd)}`)
    const form = findPasswordForm(page)
    assert.ok(form !== undefined, 'the page has the password form')
    assert.match(form.fields['csrf_token'] ?? '', /^[A-Za-z0-9_-]{43}$/, 'the form carries its CSRF token')
    return submitForm(client, form, fields)
  }

  it('signs a user in through the form POST: a session cookie and a 302 to the validated rd', async () => {
    const client = stack.client()
    const r = await postForm(client, { username: 'alice', password: 'alice-pw' }, '/after?x=1')
    assert.equal(r.status, 302)
    assert.equal(r.header('location'), '/after?x=1')
    assert.ok(r.setCookies.some((c) => c.startsWith('_oauth2_proxy=') && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)), r.setCookies.join('\n'))
    const page = await client.get(`${url}/after`, { headers: { accept: 'application/json' } })
    assert.equal(page.status, 200)
    assert.equal(page.json<EchoReply>().headers['x-forwarded-user'], 'alice')
    const info = await client.get(`${url}/oauth2/userinfo`)
    assert.deepEqual(info.json(), { user: 'alice', email: '', groups: ['admins', 'ops'] })
  })

  it('sends an unsafe rd home instead', async () => {
    const r = await postForm(stack.client(), { username: 'carol', password: 'carol-pw', rd: '//evil.example/' })
    assert.equal(r.status, 302)
    assert.equal(r.header('location'), '/')
  })

  it('answers a wrong password with the sign-in page and 401, an empty user with 400, and never sets a session', async () => {
    const wrong = await postForm(stack.client(), { username: 'alice', password: 'nope' }, '/x')
    assert.equal(wrong.status, 401)
    assert.match(wrong.header('content-type') ?? '', /text\/html/)
    assert.match(wrong.body, /\/oauth2\/start/)
    const empty = await postForm(stack.client(), { username: '', password: 'alice-pw' })
    assert.equal(empty.status, 400)
    for (const r of [wrong, empty]) {
      assert.ok(r.setCookies.every((c) => !c.startsWith('_oauth2_proxy=') || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)), r.setCookies.join('\n'))
    }
    assert.equal((await stack.client().get(`${url}/oauth2/sign_in`)).status, 200, 'GET still shows the page')
  })

  it('refuses a form post without its CSRF token, with a wrong one, or with one from another browser (login CSRF)', async () => {
    const noSession = (r: HttpResponse): boolean => r.setCookies.every((c) => !c.startsWith('_oauth2_proxy=') || /Max-Age=0/i.test(c))
    // A forged post from another site: no token and no cookie of the victim's.
    const forged = await stack.client().post(`${url}/oauth2/sign_in`, { username: 'alice', password: 'alice-pw', rd: '/x' })
    assert.equal(forged.status, 403)
    assert.match(forged.body, /\/oauth2\/start/, 'the sign-in page, to try again')
    assert.ok(noSession(forged), forged.setCookies.join('\n'))
    // The victim's own page cookie with a made-up token, and with the attacker's genuine token from their own page.
    const victim = stack.client()
    const attacker = stack.client()
    const attackerForm = findPasswordForm(await attacker.get(`${url}/oauth2/sign_in`))
    const attackerToken = attackerForm?.fields['csrf_token'] ?? ''
    for (const token of ['x'.repeat(43), attackerToken, '']) {
      const r = await postForm(victim, { username: 'alice', password: 'alice-pw', csrf_token: token })
      assert.equal(r.status, 403, `token ${token.slice(0, 8)}`)
      assert.ok(noSession(r), r.setCookies.join('\n'))
    }
    assert.match(stack.proxy.logs(), /"reason":"csrf_token"/)
    // The refused page carries a fresh form that works.
    assert.equal((await postForm(victim, { username: 'alice', password: 'alice-pw' })).status, 302)
  })

  it('re-reads the file when it changes, and keeps the old users when the new file is broken', async () => {
    writeFileSync(file, `erin:${hashes.erin}\ncarol:${sha('carol-pw')}\n`)
    let status = 0
    for (let i = 0; i < 100 && status !== 200; i += 1) {
      status = (await upstreamAs(basic('erin', 'erin-pw'))).status
      if (status !== 200) await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(status, 200, 'the new user is accepted')
    assert.equal((await upstreamAs(basic('alice', 'alice-pw'))).status, 401, 'a removed user is refused')
    writeFileSync(file, `erin:${hashes.erin}\nmallory:$apr1$abc$def\n`)
    await stack.proxy.waitForLog('htpasswd.reload.failed', 10_000)
    assert.equal((await upstreamAs(basic('carol', 'carol-pw'))).status, 200, 'the users loaded before stay in force')
  })
})

describe('htpasswd files refused at start', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-htpasswd-bad-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  const base = ['--provider=oidc', '--oidc-issuer-url=http://127.0.0.1:1', '--client-id=x', '--client-secret=y', `--cookie-secret=${'a'.repeat(32)}`, '--upstream=http://127.0.0.1:1/']

  for (const [name, text, expected] of [
    ['MD5', `ok:${sha('x')}\nmallory:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n`, /line 2: user "mallory": the password is an MD5 \(\$apr1\$\) hash/],
    ['plain text', `eve:secret\n`, /line 1: user "eve": the password is not a hash/],
    ['three fields', `eve:${sha('x')}:extra\n`, /line 1: expected user:password-hash, found 3 fields/],
    ['empty', `# nobody\n`, /the file holds no user entry/],
  ] as const) {
    it(`refuses ${name} entries with the line and the reason`, async () => {
      const file = join(dir, `${name.replace(/ /g, '-')}.htpasswd`)
      writeFileSync(file, text)
      const r = await runGatehouse({ args: [...base, `--htpasswd-file=${file}`] })
      assert.equal(r.code, 1, r.logs)
      assert.match(r.logs, /--htpasswd-file/)
      assert.match(r.logs, expected)
    })
  }
})
