// The development OpenID provider driven by a real relying-party library (openid-client 6):
// discovery, code + PKCE per client auth method, form_post, refresh rotation, userinfo, logout,
// failed logins, key rotation, TTLs, counters, and one sign-in through headless Chromium.
import { strict as assert } from 'node:assert'
import { after, before, describe, test } from 'node:test'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import * as oidc from 'openid-client'
import { DEFAULT_DEV_CLIENTS, DEFAULT_DEV_USERS, startDevIdp } from '../../src/dev/idp.js'
import type { DevIdp, DevUser } from '../../src/dev/idp.js'
import { launchBrowser } from '../helpers/browser.js'
import { findPasswordForm, parseForms, submitForm } from '../helpers/html-form.js'
import { createClient } from '../helpers/http.js'
import type { HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { authRequest, discover, redeem, startTestRp } from '../helpers/oidc-rp.js'
import type { RpClient, TestRp } from '../helpers/oidc-rp.js'

const BASIC: RpClient = { clientId: 'gatehouse', clientSecret: 'gatehouse-secret', authMethod: 'client_secret_basic' }
const POST: RpClient = { clientId: 'gatehouse-post', clientSecret: 'gatehouse-post-secret', authMethod: 'client_secret_post' }
const PUBLIC: RpClient = { clientId: 'gatehouse-public', authMethod: 'none' }
const ES256: RpClient = { clientId: 'es256-client', clientSecret: 'es256-secret', authMethod: 'client_secret_basic' }
const ALICE = { login: 'alice', password: 'alice-password' }
const DAVE: DevUser = {
  sub: 'dave-0001',
  email: 'dave@example.com',
  emailVerified: true,
  name: 'Dave Example',
  preferredUsername: 'dave',
  groups: ['ops'],
  password: 'dave-password',
  extraClaims: { realm_access: { roles: ['admin'] }, tid: 'tenant-1' },
}

/** Signs `user` in for `client` and redeems the code; a fresh HTTP client (no IdP session) unless given. */
async function signIn(
  idp: DevIdp,
  rp: TestRp,
  client: RpClient,
  user = ALICE,
  params: Record<string, string> = {},
  http: HttpClient = createClient(),
) {
  const config = await discover(idp.issuer, client)
  const request = await authRequest(config, rp.callbackUrl, params)
  const login = await loginViaHttp(http, rp.startUrl(request.url), user)
  const tokens = await redeem(config, rp.callbackRequest(), request)
  return { config, request, login, tokens }
}

describe('development IdP', () => {
  let idp: DevIdp
  let rp: TestRp

  before(async () => {
    idp = await startDevIdp({
      users: [...DEFAULT_DEV_USERS, DAVE],
      clients: [
        ...DEFAULT_DEV_CLIENTS,
        { ...ES256, authMethod: 'client_secret_basic', redirectUris: ['http://127.0.0.1:*/callback'], idTokenSignedResponseAlg: 'ES256' },
      ],
    })
    rp = await startTestRp()
  })
  after(async () => {
    await rp.close()
    await idp.close()
  })

  test('discovery describes the endpoints, scopes, PKCE methods and keys', async () => {
    const before = idp.stats.discoveryCalls
    const config = await discover(idp.issuer, BASIC)
    const meta = config.serverMetadata()
    assert.equal(meta.issuer, idp.issuer)
    assert.equal(meta.authorization_endpoint, `${idp.issuer}/auth`)
    assert.equal(meta.token_endpoint, `${idp.issuer}/token`)
    assert.equal(meta.userinfo_endpoint, `${idp.issuer}/me`)
    assert.equal(meta.end_session_endpoint, `${idp.issuer}/session/end`)
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256', 'plain'])
    for (const scope of ['openid', 'email', 'profile', 'groups', 'offline_access']) assert.ok(meta.scopes_supported?.includes(scope), scope)
    assert.ok(meta.response_modes_supported?.includes('form_post'))
    assert.ok(meta.id_token_signing_alg_values_supported?.includes('ES256'))
    assert.equal(idp.stats.discoveryCalls, before + 1)
    const jwks = (await (await fetch(String(meta.jwks_uri))).json()) as { keys: Array<{ kid: string; kty: string; d?: string }> }
    assert.deepEqual(jwks.keys.map((k) => k.kid), idp.publishedKeyIds)
    assert.deepEqual(jwks.keys.map((k) => k.kty), ['RSA', 'EC'])
    assert.ok(jwks.keys.every((k) => k.d === undefined), 'the JWKS carries no private parts')
  })

  for (const client of [BASIC, POST]) {
    test(`code + S256 PKCE with ${client.authMethod}; confidential clients get a refresh token without offline_access`, async () => {
      const { tokens, login } = await signIn(idp, rp, client)
      assert.equal(login.status, 200)
      assert.match(login.finalUrl, /^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/)
      const claims = tokens.claims()
      assert.equal(claims?.sub, 'alice')
      assert.equal(claims?.aud, client.clientId)
      assert.equal(claims?.email, 'alice@example.com')
      assert.equal(claims?.email_verified, true)
      assert.equal(claims?.preferred_username, 'alice')
      assert.deepEqual(claims?.groups, ['admins', 'developers'])
      assert.equal(typeof tokens.refresh_token, 'string')
    })
  }

  test('public client: PKCE required, refresh token only with offline_access, second sign-in reuses the IdP session', async () => {
    const http = createClient()
    const first = await signIn(idp, rp, PUBLIC, ALICE, { scope: 'openid email offline_access' }, http)
    assert.equal(typeof first.tokens.refresh_token, 'string')
    const logins = idp.stats.logins
    const second = await signIn(idp, rp, PUBLIC, ALICE, { scope: 'openid email' }, http)
    assert.equal(second.tokens.refresh_token, undefined)
    assert.equal(idp.stats.logins, logins, 'no login form the second time')
    assert.ok(!second.login.steps.some((s) => findPasswordForm(s) !== undefined))

    const config = await discover(idp.issuer, PUBLIC)
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: rp.callbackUrl, scope: 'openid', state: 's1' })
    const refused = await loginViaHttp(createClient(), rp.startUrl(url), ALICE)
    assert.equal(new URL(refused.finalUrl).searchParams.get('error'), 'invalid_request')
  })

  test('a wrong client secret is refused at the token endpoint and counted', async () => {
    const config = await discover(idp.issuer, { ...BASIC, clientSecret: 'not-the-secret' })
    const request = await authRequest(config, rp.callbackUrl)
    await loginViaHttp(createClient(), rp.startUrl(request.url), ALICE)
    const errors = idp.stats.tokenGrantErrors.authorization_code ?? 0
    await assert.rejects(redeem(config, rp.callbackRequest(), request), (err: Error & { status?: number }) => {
      assert.equal(err.status, 401)
      assert.match(JSON.stringify(err.cause), /"error":"invalid_client"/)
      return true
    })
    assert.equal(idp.stats.tokenGrantErrors.authorization_code, errors + 1)
  })

  test('response_mode=form_post posts the code to the redirect URI', async () => {
    const { tokens, login } = await signIn(idp, rp, POST, ALICE, { response_mode: 'form_post' })
    const hit = rp.hits.at(-1)
    assert.equal(hit?.method, 'POST')
    assert.equal(login.finalUrl, rp.callbackUrl)
    const form = new URLSearchParams(hit?.body)
    assert.ok(form.get('code'))
    assert.equal(form.get('iss'), idp.issuer)
    assert.equal(tokens.claims()?.sub, 'alice')
  })

  test('refresh rotates the refresh token, refuses the old one, and the grants are counted', async () => {
    const { config, tokens } = await signIn(idp, rp, BASIC)
    idp.resetStats()
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')
    assert.equal(typeof refreshed.refresh_token, 'string')
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token)
    assert.equal(refreshed.claims()?.email, 'alice@example.com')
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token ?? ''), (err: Error & { error?: string }) => {
      assert.equal(err.error, 'invalid_grant')
      return true
    })
    assert.deepEqual(idp.stats.tokenGrants, { refresh_token: 2 })
    assert.deepEqual(idp.stats.tokenGrantErrors, { refresh_token: 1 })
  })

  test('userinfo returns the profile claims of each user', async () => {
    const bob = await signIn(idp, rp, BASIC, { login: 'bob@example.com', password: 'bob-password' })
    const calls = idp.stats.userinfoCalls
    const info = await oidc.fetchUserInfo(bob.config, bob.tokens.access_token, 'bob')
    assert.deepEqual(
      { ...info },
      { sub: 'bob', email: 'bob@example.com', email_verified: true, name: 'Bob Example', preferred_username: 'bob', groups: ['developers'] },
    )
    const carol = await signIn(idp, rp, BASIC, { login: 'carol', password: 'carol-password' })
    const carolInfo = await oidc.fetchUserInfo(carol.config, carol.tokens.access_token, 'carol')
    assert.equal(carolInfo.email_verified, false)
    assert.deepEqual(carolInfo.groups, [])
    assert.equal(idp.stats.userinfoCalls, calls + 2)
  })

  test('extra claims reach the ID token and userinfo', async () => {
    const { config, tokens } = await signIn(idp, rp, BASIC, { login: 'dave', password: 'dave-password' })
    assert.deepEqual(tokens.claims()?.realm_access, { roles: ['admin'] })
    assert.equal(tokens.claims()?.tid, 'tenant-1')
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'dave-0001')
    assert.equal(info.tid, 'tenant-1')
  })

  test('a wrong password shows the form again with an error; the right one then signs in', async () => {
    const config = await discover(idp.issuer, BASIC)
    const request = await authRequest(config, rp.callbackUrl)
    const http = createClient()
    const page = await http.follow(rp.startUrl(request.url))
    const form = findPasswordForm(page)
    assert.ok(form, 'login form shown')
    assert.deepEqual(form.inputNames.slice(0, 2), ['login', 'password'])
    const failed = idp.stats.failedLogins
    const again = await submitForm(http, form, { login: 'alice', password: 'wrong' })
    assert.equal(again.status, 200)
    assert.match(again.body, /Invalid username or password/)
    assert.ok(findPasswordForm(again))
    assert.equal(idp.stats.failedLogins, failed + 1)
    await assert.rejects(loginViaHttp(createClient(), rp.startUrl(request.url), { login: 'alice', password: 'nope' }), /rejected/)
    const ok = await http.follow((await submitForm(http, form, ALICE)).location ?? '')
    assert.equal(ok.status, 200)
    assert.equal((await redeem(config, rp.callbackRequest(), request)).claims()?.sub, 'alice')
  })

  test('RP-initiated logout ends the IdP session and returns to post_logout_redirect_uri', async () => {
    const http = createClient()
    const { config, tokens } = await signIn(idp, rp, BASIC, ALICE, {}, http)
    const endUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: `${rp.url}/signed-out`,
      state: 'bye',
    })
    const confirm = await http.get(endUrl)
    assert.equal(confirm.status, 200)
    const [form] = parseForms(confirm.body, confirm.url)
    assert.ok(form)
    assert.equal(form.fields.logout, 'yes')
    const done = await submitForm(http, form)
    assert.equal(done.status, 303)
    assert.equal(done.location, `${rp.url}/signed-out?state=bye`)
    const request = await authRequest(config, rp.callbackUrl)
    const page = await http.follow(rp.startUrl(request.url))
    assert.ok(findPasswordForm(page), 'the IdP asks for the password again')
    const bad = await http.get(oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: 'http://evil.example/' }))
    assert.equal(bad.status, 400)
  })

  test('ES256 ID tokens for a client that asks for them; signJwt tokens verify against the JWKS', async () => {
    const { tokens } = await signIn(idp, rp, ES256)
    const header = decodeProtectedHeader(tokens.id_token ?? '')
    assert.equal(header.alg, 'ES256')
    assert.equal(header.kid, idp.activeKeyIds.ES256)
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`))
    const minted = await idp.signJwt({ sub: 'svc', aud: 'gatehouse', email: 'svc@example.com' })
    const { payload } = await jwtVerify(minted, jwks, { issuer: idp.issuer, audience: 'gatehouse' })
    assert.equal(payload.email, 'svc@example.com')
  })

  test('PKCE plain is translated, so the verifier must equal the challenge', async () => {
    const config = await discover(idp.issuer, PUBLIC)
    const verifier = oidc.randomPKCECodeVerifier()
    const request = { url: new URL('http://x'), state: oidc.randomState(), nonce: oidc.randomNonce(), verifier }
    request.url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: rp.callbackUrl,
      scope: 'openid',
      code_challenge: verifier,
      code_challenge_method: 'plain',
      state: request.state,
      nonce: request.nonce,
    })
    await loginViaHttp(createClient(), rp.startUrl(request.url), ALICE)
    const callback = rp.callbackRequest()
    await assert.rejects(redeem(config, callback.clone(), { ...request, verifier: oidc.randomPKCECodeVerifier() }))
    await loginViaHttp(createClient(), rp.startUrl(request.url), ALICE)
    assert.equal((await redeem(config, rp.callbackRequest(), request)).claims()?.sub, 'alice')
  })

  test('rotateKeys signs with new keys; old tokens verify only while the previous keys are kept', async () => {
    const { tokens: before } = await signIn(idp, rp, BASIC)
    const oldKid = idp.activeKeyIds.RS256
    assert.equal(decodeProtectedHeader(before.id_token ?? '').kid, oldKid)
    await idp.rotateKeys()
    assert.notEqual(idp.activeKeyIds.RS256, oldKid)
    assert.ok(idp.publishedKeyIds.includes(oldKid))
    const { tokens: after } = await signIn(idp, rp, BASIC)
    assert.equal(decodeProtectedHeader(after.id_token ?? '').kid, idp.activeKeyIds.RS256)
    const jwksUrl = new URL(`${idp.issuer}/jwks`)
    await jwtVerify(before.id_token ?? '', createRemoteJWKSet(jwksUrl), { issuer: idp.issuer })
    await jwtVerify(after.id_token ?? '', createRemoteJWKSet(jwksUrl), { issuer: idp.issuer })
    await idp.rotateKeys({ keepPrevious: false })
    assert.equal(idp.publishedKeyIds.length, 2)
    await assert.rejects(jwtVerify(before.id_token ?? '', createRemoteJWKSet(jwksUrl)), { code: 'ERR_JWKS_NO_MATCHING_KEY' })
  })

  test('setTtl changes the lifetimes of tokens issued afterwards', async () => {
    idp.setTtl({ idTokenTtlSec: 7, accessTokenTtlSec: 9 })
    try {
      const { tokens } = await signIn(idp, rp, BASIC)
      const claims = decodeJwt(tokens.id_token ?? '')
      assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 7)
      assert.equal(tokens.expires_in, 9)
      assert.throws(() => idp.setTtl({ refreshTokenTtlSec: 0 }), { name: 'ConfigError' })
      assert.equal(idp.getTtl().refreshTokenTtlSec, 24 * 3600)
    } finally {
      idp.setTtl({ idTokenTtlSec: 3600, accessTokenTtlSec: 3600 })
    }
  })

  test('headless Chromium signs in through the login form', async (t) => {
    const browser = await launchBrowser()
    t.after(() => browser.close())
    const config = await discover(idp.issuer, BASIC)
    const request = await authRequest(config, rp.callbackUrl)
    const page = await browser.newPage()
    await page.goto(rp.startUrl(request.url))
    assert.match(await page.textContent('body') ?? '', /for development and tests only/)
    await page.fill('input[name=login]', 'bob')
    await page.fill('input[name=password]', 'bob-password')
    await Promise.all([page.waitForURL((u) => u.href.startsWith(`${rp.callbackUrl}?`)), page.click('button[type=submit]')])
    assert.equal(await page.textContent('#done'), 'callback received')
    const tokens = await redeem(config, rp.callbackRequest(), request)
    assert.equal(tokens.claims()?.sub, 'bob')
  })
})

test('issuerPath mounts the provider under a path', async (t) => {
  const idp = await startDevIdp({ issuerPath: '/realms/demo/', showUsers: true })
  const rp = await startTestRp()
  t.after(async () => {
    await rp.close()
    await idp.close()
  })
  assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+\/realms\/demo$/)
  const config = await discover(idp.issuer, BASIC)
  assert.equal(config.serverMetadata().token_endpoint, `${idp.issuer}/token`)
  const request = await authRequest(config, rp.callbackUrl)
  const http = createClient()
  const page = await http.follow(rp.startUrl(request.url))
  assert.match(page.url, /\/realms\/demo\/interaction\//)
  assert.match(page.body, /carol-password/, 'showUsers lists the demo users')
  await loginViaHttp(http, rp.startUrl(request.url), ALICE)
  assert.equal((await redeem(config, rp.callbackRequest(), request)).claims()?.sub, 'alice')
  assert.equal((await http.get(`http://127.0.0.1:${idp.port}/.well-known/openid-configuration`)).status, 404)
})
