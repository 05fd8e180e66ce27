import { strict as assert } from 'node:assert'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { ProxyError } from '../errors.js'
import { createOidcProvider, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'

/** One request as the token endpoint saw it. */
interface Seen {
  authorization: string | undefined
  form: Record<string, string>
}

const CLIENT_ID = 'oauth2-proxy.test-client'
const SECRET = 'oauth2-proxy-secret'
const REFRESH_TOKEN = 'rt-0123456789'

describe('OIDC token calls: client authentication and error reports', () => {
  let server: Server
  let origin: string
  const seen: Seen[] = []
  /** What the token endpoint answers next, in order (status, JSON body). */
  let answers: Array<[number, unknown]> = []

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = ''
      req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
        seen.push({ authorization: req.headers.authorization, form: Object.fromEntries(new URLSearchParams(body)) })
        const [status, json] = answers.shift() ?? [500, { error: 'server_error' }]
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  function provider(overrides: Partial<OidcProviderOptions> = {}): Provider {
    return createOidcProvider({
      displayName: 'Test', issuerUrl: origin, clientId: CLIENT_ID, clientSecret: SECRET, skipDiscovery: true,
      loginUrl: `${origin}/auth`, redeemUrl: `${origin}/token`, profileUrl: '', jwksUrl: `${origin}/jwks`,
      scope: 'openid', responseMode: '', emailClaim: 'email', groupsClaim: 'groups',
      audienceClaims: ['aud'], extraAudiences: [], enabledSigningAlgs: [], allowUnverifiedEmail: false, skipClaimsFromProfileUrl: false,
      fetch, timeoutMs: 5000, ...overrides,
    })
  }

  const session = { createdAt: new Date(0), refreshToken: REFRESH_TOKEN, accessToken: 'at-0123456789', email: 'a@example.com' }

  it('tries HTTP Basic in Go\'s encoding first, then the secret in the form, and remembers nothing between calls', async () => {
    seen.length = 0
    answers = [
      [401, { error: 'invalid_client', error_description: `client ${SECRET} unknown` }],
      [400, { error: 'invalid_grant', error_description: `refresh token ${REFRESH_TOKEN} expired\n\u001b[31mfake log line` }],
      [403, { error: 'unauthorized_client' }],
      [400, { error: 'invalid_grant' }],
    ]
    const p = provider()
    const first = await p.refresh(session, Date.now())
    assert.equal(first.kind, 'revoked')
    const reason = first.kind === 'revoked' ? first.reason ?? '' : ''
    assert.match(reason, /the token endpoint answered 400 invalid_grant: refresh token \[redacted\] expired \[31mfake log line/)
    assert.match(reason, /with HTTP Basic first: the token endpoint answered 401 invalid_client: client \[redacted\] unknown/)
    assert.doesNotMatch(reason, new RegExp(`${SECRET}|${REFRESH_TOKEN}|[\\n\\u001b]`))

    assert.equal(seen[0]?.authorization, `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`)
    assert.deepEqual(seen[0]?.form, { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN })
    assert.equal(seen[1]?.authorization, undefined)
    assert.deepEqual(seen[1]?.form, { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN, client_id: CLIENT_ID, client_secret: SECRET })

    await p.refresh(session, Date.now())
    assert.ok(seen[2]?.authorization?.startsWith('Basic '), 'the next call starts with the header again, as oauth2-proxy does')
    assert.equal(seen[3]?.form['client_secret'], SECRET)
  })

  it('sends the secret in the form only when the provider says so (azure)', async () => {
    seen.length = 0
    answers = [[400, { error: 'invalid_grant' }]]
    await provider({ clientSecretPost: true }).refresh(session, Date.now())
    assert.equal(seen.length, 1)
    assert.equal(seen[0]?.authorization, undefined)
    assert.equal(seen[0]?.form['client_secret'], SECRET)
  })

  it('reports the IdP\'s error and error_description for a failed code exchange, never the code', async () => {
    seen.length = 0
    answers = [
      [403, { error: 'unauthorized_client', error_description: 'client not allowed' }],
      [403, { error: 'unauthorized_client', error_description: 'code the-code-123 was not issued to you' }],
    ]
    const callbackUrl = new URL(`${origin}/oauth2/callback?code=the-code-123&state=s1`)
    const failure = await provider()
      .redeem({ callbackUrl, redirectUri: `${origin}/oauth2/callback`, state: 's1', nonce: undefined, nonceBytes: undefined, codeVerifier: 'verifier-xyz-0123', now: Date.now() })
      .then(() => undefined, (err: unknown) => err)
    assert.ok(failure instanceof ProxyError)
    assert.equal(failure.status, 500)
    assert.match(failure.message, /^code exchange failed: the token endpoint answered 403 unauthorized_client: code \[redacted\] was not issued to you \(client_secret in the form; with HTTP Basic first: the token endpoint answered 403 unauthorized_client: client not allowed\)$/)
    assert.equal(seen[0]?.form['code'], 'the-code-123')
    assert.equal(seen[0]?.form['code_verifier'], 'verifier-xyz-0123')
  })

  it('says the call failed when the token endpoint cannot be reached', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const failure = await provider({ redeemUrl: `http://127.0.0.1:${port}/token` }).refresh(session, Date.now()).then(() => undefined, (err: unknown) => err)
    assert.ok(failure instanceof ProxyError)
    assert.match(failure.message, /^token refresh failed: the call to the token endpoint failed: fetch failed \(.*ECONNREFUSED.*\)/)
  })
})
