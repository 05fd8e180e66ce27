// The identity headers of reference §5 through the real process: what the echo app receives and what the
// proxied answer and /oauth2/auth carry, for each header flag. One sign-in; the proxy is restarted per
// configuration with the same cookie secret, so the same session cookie is read under every set of flags.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { joinCookie } from '../../src/cookies/chunk.js'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { openSignedValue } from '../../src/crypto/signed-value.js'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { openCookieSession } from '../../src/session/session-codec.js'
import type { Session } from '../../src/session/session.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

const UPSTREAM_HEADERS = [
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
  'authorization',
] as const
const RESPONSE_HEADERS = [
  'gap-auth',
  'x-auth-request-user',
  'x-auth-request-email',
  'x-auth-request-groups',
  'x-auth-request-preferred-username',
  'x-auth-request-access-token',
  'authorization',
] as const

/** Client copies of every header gatehouse may write, in odd cases and with underscores. */
const SPOOFED: Record<string, string> = {
  'X-Forwarded-User': 'mallory',
  X_Forwarded_Email: 'mallory@evil.example',
  'x-forwarded-groups': 'admins',
  'X-FORWARDED-PREFERRED-USERNAME': 'mallory',
  'X-Forwarded-Access-Token': 'stolen',
  Authorization: 'Bearer forged',
}

type Expected = Partial<Record<string, string>>

describe('identity headers', () => {
  let stack: Stack
  let url: string
  let alice: HttpClient
  let session: Session
  let at: string
  let it_: string

  before(async () => {
    stack = await startStack({ args: ['--scope=openid email profile groups'] })
    url = stack.proxy.url
    ;({ client: alice } = await stack.signIn('alice'))
    const cookies: Record<string, string> = {}
    for (const c of alice.jar.list(url)) cookies[c.name] = c.value
    const value = joinCookie('_oauth2_proxy', cookies)
    assert.ok(value !== undefined)
    const { hmacKey, aesKey } = cookieSecretKeys(stack.cookieSecret)
    const opened = openSignedValue('_oauth2_proxy', value, hmacKey, 0, Date.now())
    assert.ok(opened !== undefined)
    const s = openCookieSession(opened.payload, aesKey)
    assert.ok(s !== undefined && s.accessToken !== undefined && s.idToken !== undefined)
    session = s
    at = s.accessToken ?? ''
    it_ = s.idToken ?? ''
  })
  after(() => stack.close())

  /** Restarts with `args`, asks for a page with spoofed headers and compares both directions, then /oauth2/auth. */
  async function check(args: string[], upstream: Expected, response: Expected): Promise<void> {
    await stack.restartProxy(args)
    const res = await alice.get(`${url}/h`, { headers: { accept: 'application/json', ...SPOOFED } })
    assert.equal(res.status, 200, res.body)
    const echo = res.json<EchoReply>()
    for (const name of UPSTREAM_HEADERS) assert.equal(echo.headers[name], upstream[name], `${args.join(' ')}: upstream ${name}`)
    assert.ok(!echo.rawHeaders.some(([n]) => n.toLowerCase() === 'x_forwarded_email'), 'the underscore spelling is stripped too')
    for (const name of RESPONSE_HEADERS) assert.equal(res.header(name), response[name], `${args.join(' ')}: response ${name}`)
    const auth = await alice.get(`${url}/oauth2/auth`)
    assert.equal(auth.status, 202)
    for (const name of RESPONSE_HEADERS) assert.equal(auth.header(name), response[name], `${args.join(' ')}: /oauth2/auth ${name}`)
  }

  it('the session holds the claims the headers are made of', () => {
    assert.equal(session.user, 'alice')
    assert.equal(session.email, 'alice@example.com')
    assert.deepEqual(session.groups, ['admins', 'developers'])
    assert.equal(session.preferredUsername, 'alice')
  })

  it('sends the user headers by default, X-Forwarded-Groups with the groups scope, and nothing the client claimed', async () => {
    await check(
      [],
      {
        'x-forwarded-user': 'alice',
        'x-forwarded-email': 'alice@example.com',
        'x-forwarded-groups': 'admins,developers',
        'x-forwarded-preferred-username': 'alice',
        // Authorization is the client's own unless gatehouse writes it (oauth2-proxy strips only what it injects).
        authorization: 'Bearer forged',
      },
      { 'gap-auth': 'alice@example.com' },
    )
  })

  it('--set-xauthrequest --pass-access-token --pass-authorization-header --set-authorization-header', async () => {
    await check(
      ['--set-xauthrequest', '--pass-access-token', '--pass-authorization-header', '--set-authorization-header'],
      {
        'x-forwarded-user': 'alice',
        'x-forwarded-email': 'alice@example.com',
        'x-forwarded-groups': 'admins,developers',
        'x-forwarded-preferred-username': 'alice',
        'x-forwarded-access-token': at,
        authorization: `Bearer ${it_}`,
      },
      {
        'gap-auth': 'alice@example.com',
        'x-auth-request-user': 'alice',
        'x-auth-request-email': 'alice@example.com',
        'x-auth-request-groups': 'admins,developers',
        'x-auth-request-preferred-username': 'alice',
        'x-auth-request-access-token': at,
        authorization: `Bearer ${it_}`,
      },
    )
  })

  it('--pass-basic-auth with --basic-auth-password sends Authorization: Basic user:password', async () => {
    await check(
      ['--basic-auth-password=s3cret:with:colons'],
      {
        'x-forwarded-user': 'alice',
        'x-forwarded-email': 'alice@example.com',
        'x-forwarded-groups': 'admins,developers',
        'x-forwarded-preferred-username': 'alice',
        authorization: `Basic ${Buffer.from('alice:s3cret:with:colons').toString('base64')}`,
      },
      { 'gap-auth': 'alice@example.com' },
    )
  })

  it('--prefer-email-to-user puts the email in X-Forwarded-User and Basic auth, drops X-Forwarded-Email, keeps X-Auth-Request-User', async () => {
    await check(
      ['--prefer-email-to-user', '--pass-basic-auth', '--basic-auth-password=pw', '--set-xauthrequest'],
      {
        'x-forwarded-user': 'alice@example.com',
        'x-forwarded-groups': 'admins,developers',
        'x-forwarded-preferred-username': 'alice',
        authorization: `Basic ${Buffer.from('alice@example.com:pw').toString('base64')}`,
      },
      {
        'gap-auth': 'alice@example.com',
        'x-auth-request-user': 'alice',
        'x-auth-request-email': 'alice@example.com',
        'x-auth-request-groups': 'admins,developers',
        'x-auth-request-preferred-username': 'alice',
      },
    )
  })

  it('--pass-user-headers=false alone still sends them (--pass-basic-auth defaults to true, as in oauth2-proxy)', async () => {
    await check(
      ['--pass-user-headers=false'],
      {
        'x-forwarded-user': 'alice',
        'x-forwarded-email': 'alice@example.com',
        'x-forwarded-groups': 'admins,developers',
        'x-forwarded-preferred-username': 'alice',
        authorization: 'Bearer forged',
      },
      { 'gap-auth': 'alice@example.com' },
    )
  })

  it('--pass-user-headers=false --pass-basic-auth=false sends no identity header at all', async () => {
    await check(['--pass-user-headers=false', '--pass-basic-auth=false', '--basic-auth-password=unused'], { authorization: 'Bearer forged' }, { 'gap-auth': 'alice@example.com' })
  })
})
