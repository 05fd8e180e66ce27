// --provider=login.gov through the real process, against the dev IdP with a client registered for private_key_jwt:
// oidc-provider itself verifies gatehouse's client assertion with the client's public key, issues ID tokens with the
// nonce gatehouse sent, and answers userinfo with `email` / `email_verified` as login.gov does. Reference §6.1
// (login.gov), §1.6 (--jwt-key, --jwt-key-file, --pubjwk-url).
import { strict as assert } from 'node:assert'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { DEFAULT_DEV_CLIENTS, DEFAULT_DEV_USERS } from '../../src/dev/idp.js'
import { loginViaHttp } from '../helpers/login.js'
import { sessionInCookie } from '../helpers/session-cookie.js'
import { expectFailuresLogged, identityOf } from '../helpers/provider-checks.js'
import { withPrivateKeyJwtClient } from '../helpers/dev-users.js'
import { startStack, type Stack } from '../helpers/stack.js'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
// PKCS#1 ("BEGIN RSA PRIVATE KEY"), the form login.gov's docs and oauth2-proxy's examples use.
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
const CLIENT = 'urn:gov:gsa:openidconnect.profiles:sp:sso:agency:app'

function loginGovArgs(defaults: string[], keyFile: string): string[] {
  const issuer = (defaults.find((a) => a.startsWith('--oidc-issuer-url=')) ?? '').slice('--oidc-issuer-url='.length)
  const kept = defaults.filter((a) => !/^--(provider|client-id|client-secret)=/.test(a))
  return [
    ...kept,
    '--provider=login.gov',
    `--client-id=${CLIENT}`,
    `--jwt-key-file=${keyFile}`,
    `--login-url=${issuer}/auth`,
    `--redeem-url=${issuer}/token`,
    `--profile-url=${issuer}/me`,
    `--pubjwk-url=${issuer}/jwks`,
  ]
}

describe('login.gov provider', () => {
  let stack: Stack
  let url: string
  let dir: string

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-logingov-'))
    const keyFile = join(dir, 'jwt.pem')
    writeFileSync(keyFile, PEM, { mode: 0o600 })
    stack = await startStack({
      idp: {
        users: DEFAULT_DEV_USERS,
        clients: withPrivateKeyJwtClient(DEFAULT_DEV_CLIENTS, CLIENT, publicKey),
      },
      replaceArgs: (defaults) => loginGovArgs(defaults, keyFile),
    })
    url = stack.proxy.url
  })
  after(async () => {
    await stack?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('signs in with a private_key_jwt assertion, the default acr_values and the per-process nonce', async () => {
    stack.idp.requests.length = 0
    const { client, result } = await stack.signIn('alice')
    assert.equal(result.status, 302)
    await stack.signIn('bob')
    const auths = stack.idp.requests.filter((r) => r.route === 'authorization')
    assert.equal(auths[0]?.params['acr_values'], 'http://idmanagement.gov/ns/assurance/loa/1')
    assert.equal(auths[0]?.params['scope'], 'email openid')
    assert.match(auths[0]?.params['nonce'] ?? '', /^[a-zA-Z]{32}$/)
    assert.equal(auths[1]?.params['nonce'], auths[0]?.params['nonce'], 'one nonce per process, as oauth2-proxy')
    const token = stack.idp.requests.find((r) => r.route === 'token')
    assert.equal(token?.params['client_assertion_type'], 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    assert.equal(token?.params['client_secret'], undefined)
    const assertion = JSON.parse(token?.params['client_assertion_payload'] ?? '{}') as Record<string, unknown>
    assert.equal(assertion['iss'], CLIENT)
    assert.equal(assertion['sub'], CLIENT)
    assert.equal(assertion['aud'], `${stack.idp.issuer}/token`)
    assert.ok(typeof assertion['exp'] === 'number' && typeof assertion['iat'] === 'number' && Math.abs(assertion['exp'] - assertion['iat'] - 300) <= 1)
    const info = await identityOf(client, url)
    assert.equal(info.email, 'alice@example.com')
    assert.equal(info.user, '', 'oauth2-proxy keeps only the email for login.gov')
    assert.equal(sessionInCookie(client, url, stack.cookieSecret).refreshToken, undefined)
  })

  it('refuses an email userinfo does not list as verified with 403', async () => {
    const { result } = await stack.signIn('carol')
    assert.equal(result.status, 403)
    assert.match(result.response.body, /not verified/)
  })

  it('checks the nonce: a login begun before a restart (another process nonce) is refused with 403', async () => {
    const client = stack.client()
    const start = await client.get(`${url}/oauth2/start?rd=/`)
    assert.equal(start.status, 302)
    await stack.restartProxy([])
    const result = await loginViaHttp(client, start.location ?? '', { login: 'alice', password: 'alice-password' }, { idp: stack.idp.issuer })
    assert.equal(result.status, 403)
    await stack.proxy.waitForLog(/nonce/)
  })

  it('does not refresh: past --cookie-refresh the session goes on with its tokens', async () => {
    await stack.restartProxy(['--cookie-refresh=1s'])
    const { client } = await stack.signIn('alice')
    stack.idp.resetStats()
    await new Promise((r) => setTimeout(r, 2100))
    assert.equal((await client.get(`${url}/later`)).status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], undefined)
  })

  it('a key that is not the registered one is refused by the IdP: the sign-in fails with a 5xx', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const otherFile = join(dir, 'other.pem')
    writeFileSync(otherFile, other, { mode: 0o600 })
    await stack.restartProxy([`--jwt-key-file=${otherFile}`])
    assert.ok((await stack.signIn('alice')).result.status >= 500)
    assert.equal(stack.idp.stats.tokenGrantErrors['authorization_code'] !== undefined, true)
  })

  it('a failing or hanging userinfo gives a 5xx with a request id and one log line naming the call', async () => {
    const userinfo = (mode: 'error' | 'hang') => ({ on: () => (stack.idp.faults.userinfo = mode), off: () => delete stack.idp.faults.userinfo, logged: /login\.gov: userinfo request failed/ })
    await expectFailuresLogged(stack, 'alice', [userinfo('error'), userinfo('hang')], 502)
  })
})
