// loginViaHttp against the development IdP and a small stand-in for the proxy that behaves like
// oauth2-proxy's endpoints: /app redirects to the sign-in page, whose button goes to /oauth2/start,
// which redirects to the IdP; /oauth2/callback redeems the code, sets a session cookie and redirects to rd.
import { strict as assert } from 'node:assert'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import * as oidc from 'openid-client'
import { startDevIdp } from '../../src/dev/idp.js'
import type { DevIdp } from '../../src/dev/idp.js'
import { createClient } from './http.js'
import { loginViaHttp } from './login.js'
import { authRequest, discover } from './oidc-rp.js'
import type { AuthRequest } from './oidc-rp.js'

let idp: DevIdp
let proxyUrl = ''
let close: () => Promise<void>

before(async () => {
  idp = await startDevIdp()
  const config = await discover(idp.issuer, { clientId: 'gatehouse', clientSecret: 'gatehouse-secret', authMethod: 'client_secret_basic' })
  const pending = new Map<string, AuthRequest & { rd: string }>()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', proxyUrl)
    const cookie = req.headers.cookie ?? ''
    if (url.pathname === '/app') {
      if (cookie.includes('session=')) res.writeHead(200).end('app')
      else res.writeHead(302, { location: '/oauth2/sign_in?rd=/app' }).end()
    } else if (url.pathname === '/oauth2/sign_in') {
      const rd = url.searchParams.get('rd') ?? '/'
      // Like oauth2-proxy's page with --htpasswd-file: the provider button plus a password form of its own.
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<form method="GET" action="/oauth2/start"><input type="hidden" name="rd" value="${rd}"><button type="submit">Sign in</button></form>
<form method="POST" action="/oauth2/sign_in"><input name="username"><input type="password" name="password"><button type="submit">Sign in</button></form>`)
    } else if (url.pathname === '/oauth2/start') {
      const mode = url.searchParams.get('mode')
      void authRequest(config, `${proxyUrl}/oauth2/callback`, mode === null ? {} : { response_mode: mode }).then((request) => {
        pending.set(request.state, { ...request, rd: url.searchParams.get('rd') ?? '/' })
        res.writeHead(302, { location: request.url.href, 'set-cookie': `csrf=${request.state}; Path=/; HttpOnly` }).end()
      })
    } else if (url.pathname === '/oauth2/callback') {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        const state = /csrf=([^;]+)/.exec(cookie)?.[1] ?? ''
        const request = pending.get(state)
        const body = Buffer.concat(chunks).toString('utf8')
        const callback = req.method === 'POST'
          ? new Request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
          : new Request(url)
        if (request === undefined) return void res.writeHead(403).end('no csrf cookie')
        oidc
          .authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
          .then((tokens) => res.writeHead(302, { location: request.rd, 'set-cookie': `session=${tokens.claims()?.sub ?? ''}; Path=/` }).end())
          .catch(() => res.writeHead(500).end('exchange failed'))
      })
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => new Promise<void>((resolve) => server.close(() => resolve()))
})

after(async () => {
  await close()
  await idp.close()
})

test('from a protected page through the sign-in button and the IdP form to the final redirect', async () => {
  const http = createClient()
  const result = await loginViaHttp(http, `${proxyUrl}/app`, { login: 'alice', password: 'alice-password' })
  assert.equal(result.status, 302)
  assert.equal(result.finalUrl, `${proxyUrl}/app`)
  assert.equal(new URL(result.response.url).pathname, '/oauth2/callback')
  assert.ok(result.steps.some((s) => s.url.startsWith(idp.issuer)))
  assert.equal((await http.get(`${proxyUrl}/app`)).status, 200)
})

test('response_mode=form_post: the auto-submitting page is posted to the callback', async () => {
  const http = createClient()
  const result = await loginViaHttp(http, `${proxyUrl}/oauth2/start?rd=/app&mode=form_post`, { login: 'bob', password: 'bob-password' })
  assert.equal(result.status, 302)
  assert.equal(result.finalUrl, `${proxyUrl}/app`)
  assert.equal(result.response.method, 'POST')
  assert.equal(http.jar.get(proxyUrl, 'session'), 'bob')
})

test('wrong credentials make loginViaHttp reject with the reason', async () => {
  await assert.rejects(loginViaHttp(createClient(), `${proxyUrl}/app`, { login: 'alice', password: 'wrong' }), /rejected the credentials of alice/)
})
