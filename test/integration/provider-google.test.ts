// --provider=google (oauth2-proxy's default) through the real process. The dev IdP plays Google's OAuth server through
// the --login-url / --redeem-url overrides, with Google's claim shapes (`hd`, `email_verified`); the Admin SDK, the
// service-account token endpoint and tokeninfo are the local stand-in test/helpers/google-admin.ts, which says which
// Google documentation it follows and checks the service account's signed assertion. Reference §6.1 (google), §1.6.
import { strict as assert } from 'node:assert'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { devUser } from '../helpers/dev-users.js'
import { startGoogleStandIn, type GoogleStandIn } from '../helpers/google-admin.js'
import { startGoogleCloudStandIn, type GoogleCloudStandIn } from '../helpers/google-cloud.js'
import { createClient, type HttpClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, startGatehouse } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

const ADMIN = 'admin@example.com'
const SA_EMAIL = 'gatehouse@proj.iam.gserviceaccount.com'
const SCOPE = (s: string) => `https://www.googleapis.com/auth/${s}`

function googleUser(name: string, domain: string, extra: Partial<DevUser> = {}): DevUser {
  return devUser(name, {
    sub: `1000${name.length}${name}`,
    email: `${name}@${domain}`,
    // Workspace accounts carry their hosted domain; consumer (gmail-like) accounts carry none.
    extraClaims: domain === 'example.com' ? { hd: domain } : {},
    ...extra,
  })
}

const USERS: DevUser[] = [
  googleUser('alice', 'example.com'),
  googleUser('bob', 'example.com', { emailVerified: false }),
  googleUser('erin', 'example.com'),
  // Outside the Workspace domain: hasMember answers 400, membership comes from members.get.
  googleUser('carol', 'other.org'),
  googleUser('dave', 'other.org'),
]

function groupTable() {
  return {
    'staff@example.com': [
      { email: 'alice@example.com', status: 'ACTIVE' as const },
      { email: 'carol@other.org', status: 'ACTIVE' as const },
      { email: 'dave@other.org', status: 'SUSPENDED' as const },
    ],
    'eng@example.com': [{ email: 'alice@example.com', status: 'ACTIVE' as const }],
    'ops@example.com': [{ email: 'alice@example.com', status: 'ACTIVE' as const }],
  }
}

describe('google provider', () => {
  let stack: Stack
  let google: GoogleStandIn
  let cloud: GoogleCloudStandIn
  let url: string
  let keyPath: string
  const saArgs = () => [`--google-service-account-json=${keyPath}`, `--google-admin-email=${ADMIN}`]

  before(async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    let userinfoUrl = ''
    google = await startGoogleStandIn({
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      clientEmail: SA_EMAIL,
      adminEmail: ADMIN,
      // Delegation grants group.readonly, not group.member.readonly: the first scope tried is refused.
      delegatedScopes: [SCOPE('admin.directory.group.readonly'), SCOPE('admin.directory.user.readonly')],
      groups: groupTable(),
      organizationIds: { 'alice@example.com': 'EMP-0042' },
      userinfoUrl: () => userinfoUrl,
    })
    // GKE Workload Identity: the pod runs as a workload account that may impersonate SA_EMAIL, which holds the delegation.
    cloud = await startGoogleCloudStandIn({ workloadEmail: SA_EMAIL, accounts: { [SA_EMAIL]: { privateKey, keyId: 'a1b2c3' } } })
    keyPath = join(mkdtempSync(join(tmpdir(), 'gatehouse-google-')), 'service-account.json')
    writeFileSync(keyPath, JSON.stringify({
      type: 'service_account',
      project_id: 'proj',
      private_key_id: 'a1b2c3',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: SA_EMAIL,
      client_id: '1234567890',
      token_uri: google.tokenUri,
    }))
    stack = await startStack({
      idp: { users: USERS },
      // No --provider: google is the default. The dev IdP stands in for accounts.google.com through the URL overrides.
      replaceArgs: (defaults) => {
        const issuer = (defaults.find((a) => a.startsWith('--oidc-issuer-url=')) ?? '').slice('--oidc-issuer-url='.length)
        return [
          ...defaults.filter((a) => !/^--(provider|oidc-issuer-url|client-id|client-secret)=/.test(a)),
          '--client-id=gatehouse-post',
          '--client-secret=gatehouse-post-secret',
          `--login-url=${issuer}/auth?access_type=offline`,
          `--redeem-url=${issuer}/token`,
          `--validate-url=${google.url}/oauth2/v1/tokeninfo`,
          '--scope=openid profile email',
        ]
      },
      env: {
        GATEHOUSE_TEST_GOOGLE_ADMIN_URL: google.url,
        GCE_METADATA_HOST: cloud.metadataHost,
        GATEHOUSE_TEST_GOOGLE_IAM_URL: cloud.iamUrl,
        GATEHOUSE_TEST_GOOGLE_TOKEN_URL: google.tokenUri,
      },
    })
    userinfoUrl = `${stack.idp.issuer}/me`
    url = stack.proxy.url
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), google?.close(), cloud?.close()])
  })

  async function signIn(login: string): Promise<{ client: HttpClient; status: number; body: string }> {
    const { client, result } = await stack.signIn(login, '/landing')
    return { client, status: result.status, body: result.response.body }
  }

  async function userinfo(client: HttpClient): Promise<{ user?: string; email?: string; groups?: string[]; preferredUsername?: string }> {
    const r = await client.get(`${url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })
    assert.equal(r.status, 200, r.body)
    return JSON.parse(r.body) as { user?: string; email?: string; groups?: string[]; preferredUsername?: string }
  }

  it("uses Google's endpoints and scope when nothing overrides them", async () => {
    const port = await freePort()
    const proxy = await startGatehouse({
      args: ['--client-id=app.apps.googleusercontent.com', '--client-secret=s', `--cookie-secret=${stack.cookieSecret}`, '--email-domain=*', '--upstream=static://200', `--http-address=127.0.0.1:${port}`],
    })
    try {
      const r = await stack.client().get(`${proxy.url}/oauth2/start`)
      assert.equal(r.status, 302)
      const location = new URL(r.headers['location'] ?? '')
      assert.equal(`${location.origin}${location.pathname}`, 'https://accounts.google.com/o/oauth2/auth')
      assert.equal(location.searchParams.get('access_type'), 'offline')
      assert.equal(location.searchParams.get('scope'), 'profile email')
      assert.deepEqual([...location.searchParams.keys()], [...location.searchParams.keys()].sort(), 'parameters sorted as Go encodes them')
    } finally {
      await proxy.stop()
    }
  })

  it('signs in with the ID token of the token response: user is sub, email from the token, tokeninfo checked', async () => {
    google.requests.length = 0
    const { client, status } = await signIn('alice')
    assert.equal(status, 302)
    const info = await userinfo(client)
    assert.equal(info.email, 'alice@example.com')
    assert.equal(info.user, '10005alice')
    assert.equal(info.groups, undefined, 'no Admin SDK configured, no groups')
    assert.ok(google.requests.some((r) => r.path === '/oauth2/v1/tokeninfo' && r.query['access_token'] !== undefined), 'the access token went to the validate URL')
  })

  it('refuses an unverified email with 403', async () => {
    assert.equal((await signIn('bob')).status, 403)
  })

  it('a token the validate URL refuses ends the sign-in with 403', async () => {
    google.rejectTokens = true
    try {
      assert.equal((await signIn('alice')).status, 403)
    } finally {
      google.rejectTokens = false
    }
  })

  it('restricts the hosted domain through --email-domain, as oauth2-proxy does (the hd claim is not read)', async () => {
    // The stack's --email-domain=* cannot be taken back by a restart: a proxy of its own, otherwise the same.
    const port = await freePort()
    const issuer = stack.idp.issuer
    const proxy = await startGatehouse({
      args: [
        '--client-id=gatehouse-post', '--client-secret=gatehouse-post-secret', `--cookie-secret=${stack.cookieSecret}`, '--cookie-secure=false',
        `--login-url=${issuer}/auth?access_type=offline`, `--redeem-url=${issuer}/token`, `--validate-url=${google.url}/oauth2/v1/tokeninfo`,
        '--scope=openid profile email', '--email-domain=example.com', `--upstream=${stack.echo.url}/`,
        `--redirect-url=http://127.0.0.1:${port}/oauth2/callback`, `--http-address=127.0.0.1:${port}`,
      ],
    })
    try {
      const login = (name: string) => loginViaHttp(createClient(), `${proxy.url}/landing`, { login: name, password: `${name}-password` })
      assert.equal((await login('alice')).status, 302)
      assert.equal((await login('carol')).status, 403)
    } finally {
      await proxy.stop()
    }
  })

  it('--google-group: members.hasMember per group with the service account, members.get for other domains', async () => {
    await stack.restartProxy([...saArgs(), '--google-group=staff@example.com', '--google-group=eng@example.com'])
    google.scopeRequests.length = 0
    const alice = await signIn('alice')
    assert.equal(alice.status, 302)
    assert.deepEqual((await userinfo(alice.client)).groups, ['staff@example.com', 'eng@example.com'])
    // Delegation is tried scope by scope, as oauth2-proxy does, starting with group.member.readonly.
    assert.deepEqual(google.scopeRequests.slice(0, 2), [SCOPE('admin.directory.group.member.readonly'), SCOPE('admin.directory.group.readonly')])
    const assertion = google.assertions.at(-1)
    assert.equal(assertion?.['sub'], ADMIN)
    assert.equal(assertion?.['iss'], SA_EMAIL)
    assert.equal(assertion?.['aud'], google.tokenUri)

    google.requests.length = 0
    const carol = await signIn('carol')
    assert.equal(carol.status, 302, 'ACTIVE member from another domain')
    assert.deepEqual((await userinfo(carol.client)).groups, ['staff@example.com'])
    assert.ok(google.requests.some((r) => r.path === '/admin/directory/v1/groups/staff%40example.com/members/carol%40other.org'))
    assert.equal((await signIn('dave')).status, 403, 'a SUSPENDED member is not a member')
    assert.equal((await signIn('erin')).status, 403, 'not in any group')
  })

  it('without --google-group lists all of the user\'s groups (every page) and lets everyone in', async () => {
    await stack.restartProxy(saArgs())
    google.requests.length = 0
    const alice = await signIn('alice')
    assert.equal(alice.status, 302)
    assert.deepEqual((await userinfo(alice.client)).groups, ['staff@example.com', 'eng@example.com', 'ops@example.com'])
    const lists = google.requests.filter((r) => r.path === '/admin/directory/v1/groups')
    assert.deepEqual(lists.map((r) => r.query), [{ userKey: 'alice@example.com', maxResults: '200' }, { userKey: 'alice@example.com', maxResults: '200', pageToken: '2' }])
    assert.equal((await signIn('erin')).status, 302)
  })

  it('--allowed-group applies to the listed groups when no --google-group is given', async () => {
    await stack.restartProxy([...saArgs(), '--allowed-group=ops@example.com'])
    assert.equal((await signIn('alice')).status, 302)
    assert.equal((await signIn('carol')).status, 403)
  })

  it('--google-use-application-default-credentials: the metadata server token signs the delegation through IAM signJwt', async () => {
    await stack.restartProxy(['--google-use-application-default-credentials', `--google-admin-email=${ADMIN}`, '--google-group=staff@example.com'])
    cloud.signJwtCalls.length = 0
    cloud.metadataCalls.length = 0
    const alice = await signIn('alice')
    assert.equal(alice.status, 302)
    assert.deepEqual((await userinfo(alice.client)).groups, ['staff@example.com'])
    // No --google-target-principal: the metadata server's account is impersonated.
    assert.ok(cloud.metadataCalls.includes('/computeMetadata/v1/instance/service-accounts/default/email'))
    assert.ok(cloud.metadataCalls.includes('/computeMetadata/v1/instance/service-accounts/default/token'))
    const call = cloud.signJwtCalls.at(-1)
    assert.equal(call?.account, SA_EMAIL)
    assert.deepEqual({ iss: call?.claims['iss'], sub: call?.claims['sub'], aud: call?.claims['aud'] }, { iss: SA_EMAIL, sub: ADMIN, aud: google.tokenUri })
    assert.deepEqual(cloud.signJwtCalls.map((c) => c.claims['scope']), [SCOPE('admin.directory.group.member.readonly'), SCOPE('admin.directory.group.readonly')], 'scopes tried in order')
    assert.equal(google.assertions.at(-1)?.['sub'], ADMIN, 'the signed assertion was exchanged at the token endpoint')
    assert.equal((await signIn('erin')).status, 403)
  })

  it('--google-target-principal names the account to impersonate; one the workload may not act as fails the sign-in', async () => {
    await stack.restartProxy(['--google-use-application-default-credentials', `--google-target-principal=${SA_EMAIL}`, `--google-admin-email=${ADMIN}`, '--google-group=staff@example.com'])
    cloud.metadataCalls.length = 0
    assert.equal((await signIn('alice')).status, 302)
    assert.ok(!cloud.metadataCalls.some((p) => p.endsWith('/email')), 'no look-up of the default account')
    await stack.restartProxy(['--google-use-application-default-credentials', '--google-target-principal=other@proj.iam.gserviceaccount.com', `--google-admin-email=${ADMIN}`, '--google-group=staff@example.com'])
    const refused = await signIn('alice')
    assert.ok(refused.status >= 500, `IAM's 403 ends the sign-in with a 5xx, got ${refused.status}`)
    assert.equal(cloud.signJwtCalls.at(-1)?.account, SA_EMAIL, 'no signature was made for the refused account')
  })

  it('--google-use-organization-id puts the organization external ID into preferred_username', async () => {
    await stack.restartProxy([...saArgs(), '--google-use-organization-id'])
    google.scopeRequests.length = 0
    const alice = await signIn('alice')
    assert.equal(alice.status, 302)
    assert.equal((await userinfo(alice.client)).preferredUsername, 'EMP-0042')
    assert.ok(google.scopeRequests.every((s) => s.endsWith(` ${SCOPE('admin.directory.user.readonly')}`)), 'the user scope rides along')
  })

  it('re-checks the groups on refresh and refuses a user who left them', async () => {
    await stack.restartProxy([...saArgs(), '--google-group=staff@example.com', '--cookie-refresh=1s'])
    const { client, status } = await signIn('alice')
    assert.equal(status, 302)
    await new Promise((r) => setTimeout(r, 2100))
    stack.idp.resetStats()
    assert.equal((await client.get(`${url}/still-in`)).status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1, 'refreshed with the refresh token')
    const staff = google.groups['staff@example.com'] ?? []
    google.groups['staff@example.com'] = staff.filter((m) => m.email !== 'alice@example.com')
    try {
      await new Promise((r) => setTimeout(r, 2100))
      assert.equal((await client.get(`${url}/left`, { headers: { accept: 'application/json' } })).status, 403)
      assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 2)
    } finally {
      google.groups['staff@example.com'] = staff
    }
  })

  for (const failure of ['error', 'hang'] as const) {
    it(`an Admin SDK that ${failure === 'error' ? 'answers 500' : 'never answers'} fails the sign-in with a 5xx, a request id and one log line naming the call`, async () => {
      await stack.restartProxy([...saArgs(), '--google-group=staff@example.com'])
      google.failure = failure
      try {
        const { status, body } = await signIn('alice')
        assert.equal(status, 502)
        const requestId = /Request ID: (?:<code>)?([^<\s]+)/.exec(body)?.[1]
        assert.ok(requestId, 'the error page shows the request id')
        assert.doesNotMatch(body, /hasMember|googleapis|127\.0\.0\.1/, 'no internal detail reaches the browser')
        await stack.proxy.waitForLog('members.hasMember')
        const lines = stack.proxy.logs().split('\n').filter((l) => l.includes(requestId) && l.includes('"http.error"'))
        assert.equal(lines.length, 1)
        assert.match(lines[0] ?? '', /Google Admin SDK members\.hasMember (answered 500|failed)/)
        assert.doesNotMatch(stack.proxy.logs(), /ya29\.|access_token=|PRIVATE KEY/, 'no token or key in the logs')
      } finally {
        google.failure = 'none'
      }
    })
  }
})
