// --provider=azure (oauth2-proxy's legacy Azure AD provider) through the real process, against the dev IdP shaped like
// an Azure AD tenant: v1 issuer /<tenant>, `tid`/`oid`/`upn` claims, token responses with Azure v1's `expires_on`
// string, and the v2.0 endpoint (/<tenant>/v2.0). Microsoft Graph (`/v1.0/me`, `/v1.0/me/transitiveMemberOf`) is the
// stand-in in test/helpers/ms-graph.ts, which names the Microsoft documentation it follows. Reference §6.1 (azure).
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { DevUser } from '../../src/dev/idp-types.js'
import { devUser } from '../helpers/dev-users.js'
import { startGraphStandIn, type GraphStandIn } from '../helpers/ms-graph.js'
import { sessionInCookie } from '../helpers/session-cookie.js'
import { expectFailuresLogged, identityOf } from '../helpers/provider-checks.js'
import { startStack, type Stack } from '../helpers/stack.js'

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const RESOURCE = 'https://graph.microsoft.com'

function azureUser(name: string, groups: string[]): DevUser {
  return devUser(name, {
    sub: `${name}-sub`,
    email: `${name}@contoso.com`,
    groups,
    // Azure puts groups into the ID token through the app's token configuration, whatever the scope.
    extraClaims: { tid: TENANT, oid: `${name}-oid`, upn: `${name}@contoso.onmicrosoft.com`, groups },
  })
}

const USERS = [azureUser('ann', ['g-admins', 'g-staff']), azureUser('ben', ['g-staff']), azureUser('cat', []), azureUser('dan', [])]
const GRAPH_USERS = {
  'ann-sub': { mail: 'ann@contoso.com', userPrincipalName: 'ann@contoso.onmicrosoft.com' },
  'ben-sub': { mail: null, otherMails: ['ben.other@contoso.com'], userPrincipalName: 'ben@contoso.onmicrosoft.com' },
  'cat-sub': { mail: null, userPrincipalName: 'cat@contoso.onmicrosoft.com' },
}

// Azure takes the secret in the form (client_secret_post): the dev IdP's client registered for that method.
const SWAPS: Record<string, string> = { '--provider=oidc': '--provider=azure', '--client-id=gatehouse': '--client-id=gatehouse-post', '--client-secret=gatehouse-secret': '--client-secret=gatehouse-post-secret' }
const asAzure = (defaults: string[]): string[] => defaults.map((a) => SWAPS[a] ?? a)

describe('azure provider, v1 endpoints', () => {
  let stack: Stack
  let graph: GraphStandIn
  let url: string

  before(async () => {
    let userinfoUrl = ''
    graph = await startGraphStandIn({ userinfoUrl: () => userinfoUrl, groupsBySub: {}, usersBySub: GRAPH_USERS })
    stack = await startStack({
      idp: { issuerPath: `/${TENANT}`, users: USERS, azureV1: true },
      replaceArgs: asAzure,
      args: [`--resource=${RESOURCE}`, `--azure-tenant=${TENANT}`],
      env: { GATEHOUSE_TEST_MS_GRAPH_URL: graph.url },
    })
    userinfoUrl = `${stack.idp.issuer}/me`
    url = stack.proxy.url
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), graph?.close()])
  })

  it('sends resource and the secret in the form, takes the email from Graph /me and the groups from the ID token', async () => {
    stack.idp.requests.length = 0
    graph.requests.length = 0
    const { client, result } = await stack.signIn('ann', '/landing')
    assert.equal(result.status, 302)
    const auth = stack.idp.requests.find((r) => r.route === 'authorization')
    assert.equal(auth?.params['resource'], RESOURCE)
    assert.equal(auth?.params['scope'], 'openid')
    const token = stack.idp.requests.find((r) => r.route === 'token')
    assert.equal(token?.params['resource'], RESOURCE)
    assert.equal(token?.params['client_secret'], '<redacted>', 'client_secret_post, as oauth2-proxy sends it')
    // The ID token of scope "openid" carries no email: Graph /me answers, then the same URL validates the session.
    assert.deepEqual(graph.requests.map((r) => r.pathAndQuery), ['/v1.0/me', '/v1.0/me'])
    const info = await identityOf(client, url)
    assert.equal(info.email, 'ann@contoso.com')
    assert.deepEqual(info.groups, ['g-admins', 'g-staff'])
    assert.equal(info.user, '', 'oauth2-proxy copies only email and groups for azure')
    const session = sessionInCookie(client, url, stack.cookieSecret)
    const expiresOn = session.expiresOn?.getTime() ?? 0
    // expires_on is whole seconds from the IdP; the session holds exactly that instant.
    assert.equal(expiresOn % 1000, 0)
    assert.ok(expiresOn > Date.now() + 3000_000 && expiresOn <= Date.now() + 3600_000)
  })

  it('falls back from mail to otherMails[0] and then to userPrincipalName', async () => {
    assert.equal((await identityOf((await stack.signIn('ben')).client, url)).email, 'ben.other@contoso.com')
    assert.equal((await identityOf((await stack.signIn('cat')).client, url)).email, 'cat@contoso.onmicrosoft.com')
  })

  it('--allowed-group admits members and refuses the others with 403', async () => {
    await stack.restartProxy(['--allowed-group=g-admins'])
    assert.equal((await stack.signIn('ann')).result.status, 302)
    assert.equal((await stack.signIn('ben')).result.status, 403)
  })

  it('refuses a session the profile URL does not accept (validation) with 403', async () => {
    // dan has no Graph user: with the email from the ID token, validation against /v1.0/me gets a 404.
    await stack.restartProxy(['--scope=openid email'])
    assert.equal((await stack.signIn('dan')).result.status, 403)
    assert.equal((await stack.signIn('ann')).result.status, 302)
  })

  it('refreshes with the refresh token and takes the new expires_on', async () => {
    await stack.restartProxy(['--cookie-refresh=1s'])
    const { client } = await stack.signIn('ann')
    const first = sessionInCookie(client, url, stack.cookieSecret)
    stack.idp.resetStats()
    await new Promise((r) => setTimeout(r, 2100))
    const res = await client.get(`${url}/after-refresh`)
    assert.equal(res.status, 200)
    assert.equal(stack.idp.stats.tokenGrants['refresh_token'], 1)
    const second = sessionInCookie(client, url, stack.cookieSecret)
    assert.notEqual(second.accessToken, first.accessToken)
    assert.ok((second.expiresOn?.getTime() ?? 0) > (first.expiresOn?.getTime() ?? 0))
    assert.deepEqual((await identityOf(client, url)).groups, ['g-admins', 'g-staff'])
  })

  it('a failing or hanging Graph /me gives a 5xx with a request id and one log line naming the call', async () => {
    await expectFailuresLogged(stack, 'ann', [
      { on: () => (graph.broken = true), off: () => (graph.broken = false), logged: /Microsoft Graph profile \(\/me\) answered 503/ },
      { on: () => (graph.hanging = true), off: () => (graph.hanging = false), logged: /Microsoft Graph profile \(\/me\) request failed/ },
    ], 502)
  })
})

describe('azure provider, v2.0 endpoint', () => {
  let stack: Stack
  let graph: GraphStandIn
  let url: string

  before(async () => {
    let userinfoUrl = ''
    graph = await startGraphStandIn({
      userinfoUrl: () => userinfoUrl,
      groupsBySub: {},
      usersBySub: GRAPH_USERS,
      groupObjectsBySub: {
        'ann-sub': [
          { id: 'a1a1a1a1-0000-4000-8000-000000000001', displayName: 'Platform', securityEnabled: true },
          { id: 'a1a1a1a1-0000-4000-8000-000000000002', displayName: 'Newsletter', securityEnabled: false },
          { id: 'a1a1a1a1-0000-4000-8000-000000000003', displayName: 'Ops', securityEnabled: true },
          { id: 'a1a1a1a1-0000-4000-8000-000000000004', displayName: 'Support', securityEnabled: true },
        ],
      },
    })
    stack = await startStack({
      idp: { issuerPath: `/${TENANT}/v2.0`, users: USERS },
      replaceArgs: asAzure,
      args: [`--resource=${RESOURCE}`, '--scope=openid email profile groups'],
      env: { GATEHOUSE_TEST_MS_GRAPH_URL: graph.url },
    })
    userinfoUrl = `${stack.idp.issuer}/me`
    url = stack.proxy.url
  })
  after(async () => {
    await Promise.allSettled([stack?.close(), graph?.close()])
  })

  it('drops groups from the scope, asks for Graph, sends no resource and adds the security groups from Graph', async () => {
    stack.idp.requests.length = 0
    graph.requests.length = 0
    const { client, result } = await stack.signIn('ann')
    assert.equal(result.status, 302)
    const auth = stack.idp.requests.find((r) => r.route === 'authorization')
    assert.equal(auth?.params['scope'], 'openid email profile https://graph.microsoft.com/.default')
    assert.equal(auth?.params['resource'], undefined)
    assert.equal(stack.idp.requests.find((r) => r.route === 'token')?.params['resource'], undefined)
    const groupCalls = graph.requests.filter((r) => r.pathAndQuery.startsWith('/v1.0/me/transitiveMemberOf'))
    assert.equal(groupCalls[0]?.pathAndQuery, '/v1.0/me/transitiveMemberOf?$count=true&$filter=securityEnabled+eq+true&$select=displayName,id')
    assert.equal(groupCalls.length, 2, 'three security groups, two per page')
    assert.ok(groupCalls.every((r) => r.authorized && r.consistencyLevel === 'eventual'))
    assert.deepEqual((await identityOf(client, url)).groups, [
      'g-admins',
      'g-staff',
      'a1a1a1a1-0000-4000-8000-000000000001',
      'a1a1a1a1-0000-4000-8000-000000000003',
      'a1a1a1a1-0000-4000-8000-000000000004',
    ])
  })

  it('--azure-graph-group-field=displayName names the groups, and --allowed-group matches them', async () => {
    await stack.restartProxy(['--azure-graph-group-field=displayName', '--allowed-group=Ops'])
    const { client, result } = await stack.signIn('ann')
    assert.equal(result.status, 302)
    assert.deepEqual((await identityOf(client, url)).groups, ['g-admins', 'g-staff', 'Platform', 'Ops', 'Support'])
    assert.equal((await stack.signIn('ben')).result.status, 403)
  })

  it('a failing Graph groups call fails the sign-in with 502 and names the call', async () => {
    // Validation asks the IdP's userinfo here, so that only the groups call meets the broken Graph.
    await stack.restartProxy([`--validate-url=${stack.idp.issuer}/me`])
    graph.broken = true
    try {
      assert.equal((await stack.signIn('ann')).result.status, 502)
    } finally {
      graph.broken = false
    }
    await stack.proxy.waitForLog(/Microsoft Graph transitiveMemberOf answered 503/)
  })
})
