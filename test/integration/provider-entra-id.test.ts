// --provider=entra-id through the real process, against the dev IdP shaped like a Microsoft Entra ID tenant: issuer
// /<tenant>/v2.0, a `tid` claim, a `groups` claim, and for the "overage" user no groups but `_claim_names` pointing
// elsewhere; the groups then come from the Microsoft Graph stand-in (test/helpers/ms-graph.ts, which says which
// Microsoft documentation it follows). Reference §6.1 (entra-id), §1.6 (--entra-id-allowed-tenant).
import { strict as assert } from 'node:assert'
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { DEFAULT_DEV_CLIENTS } from '../../src/dev/idp-users.js'
import { devUser, withPrivateKeyJwtClient } from '../helpers/dev-users.js'
import type { HttpClient } from '../helpers/http.js'
import { startGraphStandIn, type GraphStandIn } from '../helpers/ms-graph.js'
import { startStack, type Stack } from '../helpers/stack.js'

const TENANT = '9c3a0da0-3020-442b-9b9a-9bd97be77496'
const GRAPH_GROUPS = ['11111111-aaaa-4aaa-8aaa-000000000001', '11111111-aaaa-4aaa-8aaa-000000000002', '11111111-aaaa-4aaa-8aaa-000000000003', '11111111-aaaa-4aaa-8aaa-000000000004', '11111111-aaaa-4aaa-8aaa-000000000005']

function entraUser(name: string, groups: string[], extra: Record<string, unknown> = {}): DevUser {
  return devUser(name, { sub: `${name}-oid`, email: `${name}@contoso.com`, groups, extraClaims: { tid: TENANT, ...extra } })
}

const USERS: DevUser[] = [
  entraUser('eve', ['22222222-bbbb-4bbb-8bbb-000000000001', '22222222-bbbb-4bbb-8bbb-000000000002']),
  // Too many groups for the token: Entra leaves them out and names a claim source instead.
  entraUser('olaf', [], {
    _claim_names: { groups: 'src1' },
    _claim_sources: { src1: { endpoint: `https://graph.windows.net/${TENANT}/users/olaf-oid/getMemberObjects` } },
  }),
]

describe('entra-id provider', () => {
  let stack: Stack
  let graph: GraphStandIn
  let url: string

  before(async () => {
    let userinfoUrl = ''
    graph = await startGraphStandIn({ userinfoUrl: () => userinfoUrl, groupsBySub: { 'olaf-oid': GRAPH_GROUPS } })
    stack = await startStack({
      idp: { issuerPath: `/${TENANT}/v2.0`, users: USERS },
      replaceArgs: (defaults) => defaults.map((a) => (a === '--provider=oidc' ? '--provider=entra-id' : a)),
      args: ['--scope=openid email profile groups'],
      env: { GATEHOUSE_TEST_MS_GRAPH_URL: graph.url },
    })
    userinfoUrl = `${stack.idp.issuer}/me`
    url = stack.proxy.url
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), graph?.close()])
  })

  async function signIn(login: string): Promise<{ client: HttpClient; status: number }> {
    const { client, result } = await stack.signIn(login, '/landing')
    return { client, status: result.status }
  }

  async function groupsOf(client: HttpClient): Promise<string[] | undefined> {
    const r = await client.get(`${url}/oauth2/userinfo`, { headers: { accept: 'application/json' } })
    assert.equal(r.status, 200, r.body)
    return (JSON.parse(r.body) as { groups?: string[] }).groups
  }

  it('takes the groups from the ID token and calls no Graph API when they fit', async () => {
    graph.requests.length = 0
    const { client, status } = await signIn('eve')
    assert.equal(status, 302)
    assert.deepEqual(await groupsOf(client), ['22222222-bbbb-4bbb-8bbb-000000000001', '22222222-bbbb-4bbb-8bbb-000000000002'])
    assert.equal(graph.requests.length, 0)
  })

  it('on group overage reads every page of /me/transitiveMemberOf with the user token', async () => {
    graph.requests.length = 0
    const { client, status } = await signIn('olaf')
    assert.equal(status, 302)
    assert.deepEqual(await groupsOf(client), GRAPH_GROUPS)
    // Five groups, two per page: three requests, the first exactly as oauth2-proxy sends it.
    assert.equal(graph.requests.length, 3)
    assert.equal(graph.requests[0]?.pathAndQuery, '/v1.0/me/transitiveMemberOf?$select=id&$top=100')
    assert.ok(graph.requests.every((r) => r.authorized && r.consistencyLevel === 'eventual'))
  })

  it('--allowed-group matches groups found through Graph', async () => {
    await stack.restartProxy([`--allowed-group=${GRAPH_GROUPS[4] ?? ''}`])
    assert.equal((await signIn('olaf')).status, 302)
    assert.equal((await signIn('eve')).status, 403)
  })

  it('a failing Graph call signs the user in without those groups, as oauth2-proxy does', async () => {
    await stack.restartProxy([])
    graph.broken = true
    try {
      const { client, status } = await signIn('olaf')
      assert.equal(status, 302)
      assert.equal(await groupsOf(client), undefined)
    } finally {
      graph.broken = false
    }
  })

  it('--entra-id-allowed-tenant refuses other tenants with 403 and admits listed ones', async () => {
    await stack.restartProxy(['--entra-id-allowed-tenant=00000000-0000-0000-0000-000000000000'])
    assert.equal((await signIn('eve')).status, 403)
    await stack.restartProxy(['--entra-id-allowed-tenant=00000000-0000-0000-0000-000000000000', `--entra-id-allowed-tenant=${TENANT}`])
    assert.equal((await signIn('eve')).status, 302)
  })
})

// --entra-id-federated-token-auth: the dev IdP registers the app for private_key_jwt with the key that signs the
// "workload identity" token written to AZURE_FEDERATED_TOKEN_FILE, as Entra trusts the cluster's issuer for it.
describe('entra-id provider with --entra-id-federated-token-auth', () => {
  const CLIENT = 'gatehouse-workload'
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  let stack: Stack
  let dir: string
  let tokenFile: string

  /** A short-lived client assertion for the IdP's token endpoint, as a projected service account token would be. */
  function writeToken(content?: string): void {
    const now = Math.floor(Date.now() / 1000)
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: CLIENT, sub: CLIENT, aud: `${stack.idp.issuer}/token`, jti: randomUUID(), iat: now, exp: now + 300 })}`
    writeFileSync(tokenFile, content ?? `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`)
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-federated-'))
    tokenFile = join(dir, 'azure-identity-token')
    writeFileSync(tokenFile, '')
    stack = await startStack({
      idp: {
        issuerPath: `/${TENANT}/v2.0`,
        users: USERS,
        clients: withPrivateKeyJwtClient(DEFAULT_DEV_CLIENTS, CLIENT, publicKey),
      },
      replaceArgs: (defaults) => [
        ...defaults.filter((a) => !/^--(provider|client-id|client-secret)=/.test(a)),
        '--provider=entra-id',
        `--client-id=${CLIENT}`,
        '--entra-id-federated-token-auth',
        '--scope=openid email profile groups offline_access',
      ],
      env: { AZURE_FEDERATED_TOKEN_FILE: tokenFile },
    })
  })
  after(async () => {
    await stack?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('redeems the code with the token file as a jwt-bearer client assertion and no secret', async () => {
    writeToken()
    stack.idp.requests.length = 0
    const { result } = await stack.signIn('eve', '/landing')
    assert.equal(result.status, 302, result.response.body)
    const grant = stack.idp.requests.find((r) => r.route === 'token')
    assert.equal(grant?.params['client_assertion_type'], 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    assert.equal(grant?.params['client_id'], CLIENT)
    assert.equal(grant?.params['client_secret'], undefined)
  })

  it('reads the file again for every token request (the kubelet rotates it)', async () => {
    writeToken('not-a-token')
    assert.notEqual((await stack.signIn('eve', '/landing')).result.status, 302, 'a bad token in the file fails the exchange')
    writeToken()
    assert.equal((await stack.signIn('eve', '/landing')).result.status, 302, 'the rotated token works without a restart')
  })
})
