// The sign-in endpoints through the real process and the development IdP: /oauth2/sign_in, /oauth2/start,
// /oauth2/callback (GET and form_post), the three client kinds, manual endpoints, /oauth2/userinfo and
// /oauth2/sign_out (rd, X-Auth-Request-Redirect, {id_token}, --backend-logout-url). Reference §3.5–§3.9.
import { strict as assert } from 'node:assert'
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { parseForms } from '../helpers/html-form.js'
import { tokensFor } from '../helpers/idp-tokens.js'
import type { HttpClient } from '../helpers/http.js'
import { startStack, type Stack } from '../helpers/stack.js'

/** The claims of a JWT, unverified (the proxy verified it). */
function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1]
  assert.ok(part !== undefined, `a JWT: ${token}`)
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
}

/** True when one Set-Cookie line deletes cookie `name`. */
function clears(setCookies: readonly string[], name: string): boolean {
  return setCookies.some((c) => c.startsWith(`${name}=;`) && /;\s*Max-Age=0(;|$)/i.test(c))
}

describe('sign-in endpoints', () => {
  let stack: Stack
  let url: string
  let idpEndpoints: { authorization_endpoint: string; token_endpoint: string; userinfo_endpoint: string; jwks_uri: string; end_session_endpoint: string }

  before(async () => {
    stack = await startStack()
    url = stack.proxy.url
    const res = await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)
    idpEndpoints = (await res.json()) as typeof idpEndpoints
  })
  after(() => stack.close())

  /** GETs a path through the proxy as `client` and returns what the echo app saw. */
  async function echoOf(client: HttpClient, path: string): Promise<EchoReply> {
    const res = await client.get(`${url}${path}`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 200, `echo of ${path}: ${res.body}`)
    return res.json<EchoReply>()
  }

  describe('/oauth2/sign_in and /oauth2/start', () => {
    it('GET /oauth2/sign_in answers 200 with a provider button that starts the login and carries rd', async () => {
      const res = await stack.client().get(`${url}/oauth2/sign_in?rd=${encodeURIComponent('/wanted?a=1&b=2')}`, {
        headers: { cookie: '_oauth2_proxy=left-over' },
      })
      assert.equal(res.status, 200)
      assert.match(res.header('content-type') ?? '', /^text\/html/)
      const start = parseForms(res.body, res.url).find((f) => new URL(f.action).pathname === '/oauth2/start')
      assert.ok(start !== undefined, 'a form to /oauth2/start')
      assert.equal(start.method, 'GET')
      assert.equal(start.fields.rd, '/wanted?a=1&b=2')
      assert.ok(clears(res.setCookies, '_oauth2_proxy'), 'rendering the sign-in page deletes the session cookie (GHSA-f24x-5g9q-753f)')
    })

    it('GET /oauth2/start sets the CSRF cookie and sends the browser to the IdP with state carrying rd', async () => {
      const res = await stack.client().get(`${url}/oauth2/start?rd=%2Fafter`)
      assert.equal(res.status, 302)
      const to = new URL(res.location ?? '')
      assert.equal(`${to.origin}${to.pathname}`, idpEndpoints.authorization_endpoint)
      assert.equal(to.searchParams.get('client_id'), 'gatehouse')
      assert.equal(to.searchParams.get('response_type'), 'code')
      assert.equal(to.searchParams.get('redirect_uri'), `${url}/oauth2/callback`)
      assert.deepEqual(to.searchParams.get('scope')?.split(' ').sort(), ['email', 'openid', 'profile'])
      assert.match(to.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}:\/after$/)
      assert.ok(res.setCookies.some((c) => c.startsWith('_oauth2_proxy_csrf=') && /Max-Age=900/.test(c)), res.setCookies.join('\n'))
    })
    it('takes the target from X-Auth-Request-Redirect too, and replaces an invalid rd by "/"', async () => {
      const fromHeader = await stack.client().get(`${url}/oauth2/start`, { headers: { 'x-auth-request-redirect': '/from-header?q=1' } })
      assert.match(new URL(fromHeader.location ?? '').searchParams.get('state') ?? '', /:\/from-header\?q=1$/)
      const page = await stack.client().get(`${url}/oauth2/sign_in?rd=${encodeURIComponent('//evil.example/')}`)
      assert.equal(parseForms(page.body, page.url)[0]?.fields.rd, '/')
      const start = await stack.client().get(`${url}/oauth2/start?rd=${encodeURIComponent('https://evil.example/')}`)
      assert.match(new URL(start.location ?? '').searchParams.get('state') ?? '', /:\/$/)
    })

    it('sends no-cache headers from every endpoint under the prefix except /oauth2/auth', async () => {
      const { client } = await stack.signIn('alice')
      for (const path of ['/oauth2/sign_in', '/oauth2/start', '/oauth2/userinfo', '/oauth2/callback?state=x', '/oauth2/sign_out']) {
        const res = await client.get(`${url}${path}`)
        assert.equal(res.header('cache-control'), 'no-cache, no-store, must-revalidate, max-age=0', path)
        assert.equal(res.header('x-accel-expires'), '0', path)
        assert.match(res.header('expires') ?? '', /01 Jan 1970 00:00:00/, path)
      }
      const auth = await stack.client().get(`${url}/oauth2/auth`)
      assert.equal(auth.header('x-accel-expires'), undefined, 'nginx may cache /oauth2/auth answers briefly')
    })
  })

  describe('the whole flow', () => {
    it('returns to the protected path and query it started from, with the identity headers', async () => {
      const { client, result } = await stack.signIn('alice', '/deep/path?x=1&y=two%20words')
      assert.equal(result.status, 302)
      assert.equal(result.finalUrl, `${url}/deep/path?x=1&y=two%20words`)
      const callback = result.response
      assert.equal(new URL(callback.url).pathname, '/oauth2/callback')
      assert.ok(clears(callback.setCookies, '_oauth2_proxy_csrf'), 'the CSRF cookie is single-use')
      assert.ok(callback.setCookies.some((c) => /^_oauth2_proxy=[^;]+\|\d+\|[^;]+;/.test(c) && /HttpOnly/.test(c)), callback.setCookies.join('\n'))

      const echo = await echoOf(client, '/deep/path?x=1&y=two%20words')
      assert.equal(echo.path, '/deep/path')
      assert.equal(echo.rawQuery, 'x=1&y=two%20words')
      assert.equal(echo.headers['x-forwarded-user'], 'alice')
      assert.equal(echo.headers['x-forwarded-email'], 'alice@example.com')
      assert.equal(echo.headers['x-forwarded-preferred-username'], 'alice')
      assert.equal(echo.headers['x-forwarded-groups'], undefined, 'no groups without the groups scope')
      assert.equal(echo.headers['x-forwarded-access-token'], undefined)
      assert.equal(echo.headers.authorization, undefined)
    })

    it('accepts the callback as a POST with --auth-request-response-mode=form_post', async () => {
      await stack.restartProxy(['--auth-request-response-mode=form_post'])
      const start = await stack.client().get(`${url}/oauth2/start?rd=%2Fposted`)
      assert.equal(new URL(start.location ?? '').searchParams.get('response_mode'), 'form_post')
      const { client, result } = await stack.signIn('bob', '/posted?via=form')
      const callback = result.response
      assert.equal(callback.method, 'POST')
      assert.equal(new URL(callback.url).pathname, '/oauth2/callback')
      assert.equal(new URL(callback.url).search, '', 'code and state came in the body')
      assert.equal(result.status, 302)
      assert.equal(result.finalUrl, `${url}/posted?via=form`)
      assert.equal((await echoOf(client, '/posted')).headers['x-forwarded-user'], 'bob')
    })

    it('signs in with a client_secret_post client', async () => {
      await stack.restartProxy(['--client-id=gatehouse-post', '--client-secret=gatehouse-post-secret'])
      stack.idp.resetStats()
      const { client, result } = await stack.signIn('alice', '/post-client')
      assert.equal(result.status, 302, result.response.body)
      assert.equal(result.finalUrl, `${url}/post-client`)
      assert.ok((stack.idp.stats.tokenGrants['authorization_code'] ?? 0) >= 1)
      assert.equal((await echoOf(client, '/post-client')).headers['x-forwarded-email'], 'alice@example.com')
    })

    it('signs in with a public client: no secret, PKCE S256', async () => {
      await stack.restartProxy(['--client-id=gatehouse-public', '--client-secret=', '--code-challenge-method=S256'])
      const start = await stack.client().get(`${url}/oauth2/start?rd=%2F`)
      const params = new URL(start.location ?? '').searchParams
      assert.equal(params.get('client_id'), 'gatehouse-public')
      assert.equal(params.get('code_challenge_method'), 'S256')
      assert.match(params.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/)
      stack.idp.resetStats()
      const { client, result } = await stack.signIn('alice', '/public-client')
      assert.equal(result.status, 302, result.response.body)
      assert.equal(result.finalUrl, `${url}/public-client`)
      assert.equal(stack.idp.stats.tokenGrantErrors['authorization_code'] ?? 0, 0, 'the IdP took the code verifier at the first try')
      assert.equal((await echoOf(client, '/public-client')).headers['x-forwarded-user'], 'alice')
    })

    it('signs in with --skip-oidc-discovery and manual endpoints, never reading discovery', async () => {
      stack.idp.resetStats()
      await stack.restartProxy([
        '--skip-oidc-discovery',
        `--login-url=${idpEndpoints.authorization_endpoint}`,
        `--redeem-url=${idpEndpoints.token_endpoint}`,
        `--profile-url=${idpEndpoints.userinfo_endpoint}`,
        `--oidc-jwks-url=${idpEndpoints.jwks_uri}`,
      ])
      const { client, result } = await stack.signIn('bob', '/manual?ok=1')
      assert.equal(result.status, 302, result.response.body)
      assert.equal(result.finalUrl, `${url}/manual?ok=1`)
      assert.equal(stack.idp.stats.discoveryCalls, 0)
      assert.ok(stack.idp.stats.jwksCalls >= 1, 'the ID token was checked against the JWKS')
      assert.equal((await echoOf(client, '/manual')).headers['x-forwarded-email'], 'bob@example.com')
      await stack.restartProxy([])
    })

    it('--oidc-public-key-file verifies ID tokens and bearer JWTs with local keys, never fetching the JWKS', async () => {
      const jwks = (await (await fetch(idpEndpoints.jwks_uri)).json()) as { keys: (JsonWebKey & { kid?: string })[] }
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pubkeys-'))
      const pem = (jwk: JsonWebKey) => createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()
      const idpKey = jwks.keys.find((k) => k.kid === stack.idp.activeKeyIds.RS256)
      assert.ok(idpKey !== undefined)
      // An unrelated key first: fixed keys carry no kid, each is tried in turn.
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
      writeFileSync(join(dir, 'other.pem'), other)
      writeFileSync(join(dir, 'idp.pem'), pem(idpKey))
      const manual = ['--skip-oidc-discovery', `--login-url=${idpEndpoints.authorization_endpoint}`, `--redeem-url=${idpEndpoints.token_endpoint}`, `--profile-url=${idpEndpoints.userinfo_endpoint}`]
      try {
        await stack.restartProxy([...manual, `--oidc-public-key-file=${join(dir, 'other.pem')}`, `--oidc-public-key-file=${join(dir, 'idp.pem')}`, '--skip-jwt-bearer-tokens'])
        stack.idp.resetStats()
        const { client, result } = await stack.signIn('bob', '/keys')
        assert.equal(result.status, 302, result.response.body)
        assert.equal((await echoOf(client, '/keys')).headers['x-forwarded-email'], 'bob@example.com')
        assert.equal(stack.idp.stats.jwksCalls, 0, 'no JWKS fetch')
        assert.equal(stack.idp.stats.discoveryCalls, 0)
        const { idToken } = await tokensFor(stack.idp, 'bob')
        const jwksCalls = stack.idp.stats.jwksCalls
        const bearer = await stack.client().get(`${url}/api`, { headers: { authorization: `Bearer ${idToken}` } })
        assert.equal(bearer.status, 200, 'a bearer ID token verified with the local key')
        assert.equal(stack.idp.stats.jwksCalls, jwksCalls, 'no JWKS fetch for the bearer token either')

        // Only the unrelated key: the ID token no longer verifies.
        await stack.restartProxy([...manual, `--oidc-public-key-file=${join(dir, 'other.pem')}`])
        assert.equal((await stack.signIn('bob', '/keys')).result.status, 403)
      } finally {
        rmSync(dir, { recursive: true, force: true })
        await stack.restartProxy([])
      }
    })
  })

  describe('/oauth2/userinfo', () => {
    it('answers the identity of the session as JSON', async () => {
      const { client } = await stack.signIn('alice')
      const res = await client.get(`${url}/oauth2/userinfo`)
      assert.equal(res.status, 200)
      assert.match(res.header('content-type') ?? '', /^application\/json/)
      assert.deepEqual(res.json(), { user: 'alice', email: 'alice@example.com', preferredUsername: 'alice' })
    })

    it('answers 401 without a session, and with a session cookie that does not verify', async () => {
      for (const cookie of [undefined, '_oauth2_proxy=forged|1|sig']) {
        const res = await stack.client().get(`${url}/oauth2/userinfo`, cookie === undefined ? {} : { headers: { cookie } })
        assert.equal(res.status, 401)
        assert.equal(res.body, 'Unauthorized\n')
      }
    })
  })

  describe('/oauth2/sign_out', () => {
    it('deletes the session cookie and redirects to a valid rd', async () => {
      const { client } = await stack.signIn('alice')
      const res = await client.get(`${url}/oauth2/sign_out?rd=${encodeURIComponent('/goodbye?see=you')}`)
      assert.equal(res.status, 302)
      assert.equal(res.location, `${url}/goodbye?see=you`)
      assert.ok(clears(res.setCookies, '_oauth2_proxy'), res.setCookies.join('\n'))
      assert.equal(client.jar.get(url, '_oauth2_proxy'), undefined)
      const after = await client.get(`${url}/oauth2/userinfo`)
      assert.equal(after.status, 401, 'signed out')
    })

    it('redirects to X-Auth-Request-Redirect, and also accepts POST with rd in the body', async () => {
      const { client } = await stack.signIn('bob')
      const res = await client.get(`${url}/oauth2/sign_out`, { headers: { 'x-auth-request-redirect': '/from-header' } })
      assert.equal(res.status, 302)
      assert.equal(res.location, `${url}/from-header`)
      const posted = await stack.client().post(`${url}/oauth2/sign_out`, { rd: '/from-body' })
      assert.equal(posted.status, 302)
      assert.equal(posted.location, `${url}/from-body`)
    })

    it('sends an invalid rd or header to "/"', async () => {
      for (const rd of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/%2F%2Fevil.example']) {
        const res = await stack.client().get(`${url}/oauth2/sign_out?rd=${encodeURIComponent(rd)}`)
        assert.equal(res.status, 302, rd)
        const location = new URL(res.location ?? '')
        assert.equal(location.origin, url, `${rd} stays on the proxy`)
        if (rd !== '/%2F%2Fevil.example') assert.equal(location.pathname, '/', rd)
      }
      const header = await stack.client().get(`${url}/oauth2/sign_out`, { headers: { 'x-auth-request-redirect': '//evil.example' } })
      assert.equal(header.location, `${url}/`)
    })

    it('puts the session ID token in place of {id_token} in rd', async () => {
      const { client } = await stack.signIn('alice')
      const res = await client.get(`${url}/oauth2/sign_out?rd=${encodeURIComponent('/logged-out?hint={id_token}')}`)
      assert.equal(res.status, 302)
      const hint = new URL(res.location ?? '').searchParams.get('hint') ?? ''
      const claims = jwtClaims(hint)
      assert.equal(claims.sub, 'alice')
      assert.equal(claims.iss, stack.idp.issuer)
      assert.equal(claims.aud, 'gatehouse')
    })

    it('calls --backend-logout-url with the real ID token', async () => {
      const seen: string[] = []
      const capture: Server = createServer((req, res) => {
        seen.push(req.url ?? '')
        res.writeHead(204).end()
      })
      await new Promise<void>((r) => capture.listen(0, '127.0.0.1', () => r()))
      try {
        const port = (capture.address() as AddressInfo).port
        await stack.restartProxy([`--backend-logout-url=http://127.0.0.1:${port}/logout?id_token_hint={id_token}`])
        const { client } = await stack.signIn('bob')
        const res = await client.get(`${url}/oauth2/sign_out?rd=${encodeURIComponent('/bye?t={id_token}')}`)
        assert.equal(res.status, 302)
        const fromRd = new URL(res.location ?? '').searchParams.get('t') ?? ''
        assert.equal(seen.length, 1)
        const hint = new URL(seen[0] ?? '', 'http://x').searchParams.get('id_token_hint') ?? ''
        assert.equal(hint, fromRd, 'the same ID token as the session holds')
        assert.equal(jwtClaims(hint).sub, 'bob')
        // Without a session there is nobody to log out at the backend.
        await stack.client().get(`${url}/oauth2/sign_out`)
        assert.equal(seen.length, 1)
      } finally {
        capture.close()
      }
    })

    it('ends the session at the IdP through its end_session endpoint', async () => {
      await stack.restartProxy([`--backend-logout-url=${idpEndpoints.end_session_endpoint}?id_token_hint={id_token}`])
      const { client } = await stack.signIn('alice')
      stack.idp.resetStats()
      const res = await client.get(`${url}/oauth2/sign_out`)
      assert.equal(res.status, 302)
      assert.equal(stack.idp.stats.endSessionCalls, 1)
      // The IdP refuses an id_token_hint it did not issue (400), which gatehouse logs before its "auth.logout" line.
      const logs = await stack.proxy.waitForLog(/"event":"auth\.logout"/)
      assert.doesNotMatch(logs, /auth\.logout\.backend_failed/)
      await stack.restartProxy([])
    })
  })
})
