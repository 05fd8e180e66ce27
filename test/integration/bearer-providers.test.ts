// --skip-jwt-bearer-tokens with each provider's own reading of the token (oauth2-proxy's per-provider
// CreateSessionFromToken, and the token-only parts of each EnrichSession) through the real process. Tokens are signed
// by the real dev IdP: its Keycloak-shaped JWT access tokens from a code flow, and JWTs shaped like each IdP's tokens
// from signJwt. The IdP's issuer is shaped like an Entra ID tenant (`/<tenant>/v2.0`), which the other providers ignore.
import { strict as assert } from 'node:assert'
import { createServer } from 'node:http'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { devUser, keycloakUser } from '../helpers/dev-users.js'
import { tokensFor } from '../helpers/idp-tokens.js'
import { listenOnLoopback, type LoopbackServer } from '../helpers/loopback-server.js'
import { startStack, type Stack } from '../helpers/stack.js'

const TENANT = '9c3a0da0-3020-442b-9b9a-9bd97be77496'
const OTHER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'

const USERS = [
  keycloakUser('anna', ['/staff'], ['admin'], { wiki: ['editor'] }),
  keycloakUser('ben', ['/guests'], ['offline_access'], { wiki: ['reader'] }),
  devUser('eve', { sub: 'eve-oid', email: 'eve@contoso.com', extraClaims: { tid: TENANT } }),
]

describe('bearer JWTs read by each provider', () => {
  let stack: Stack
  let url: string

  before(async () => {
    stack = await startStack({
      idp: { issuerPath: `/${TENANT}/v2.0`, users: USERS, jwtAccessTokens: { audience: 'gatehouse' } },
      args: ['--skip-jwt-bearer-tokens', '--scope=openid email profile groups'],
    })
    url = stack.proxy.url
  })
  after(async () => {
    await stack.close()
  })

  async function asBearer(token: string, path = '/api/x'): Promise<{ status: number; echo?: EchoReply }> {
    const r = await stack.client().get(`${url}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
    return { status: r.status, ...(r.status === 200 ? { echo: r.json<EchoReply>() } : {}) }
  }

  /** A JWT signed by the dev IdP with its issuer and the client ID as audience, plus `claims`. */
  function signed(claims: Record<string, unknown>): Promise<string> {
    return stack.idp.signJwt({ aud: 'gatehouse', ...claims })
  }

  describe('keycloak-oidc', () => {
    before(() => stack.restartProxy(['--provider=keycloak-oidc', '--allowed-role=admin', '--allowed-role=wiki:editor']))

    it("adds the access token's realm and client roles to the groups, so --allowed-role admits API clients", async () => {
      const anna = await tokensFor(stack.idp, 'anna')
      const r = await asBearer(anna.accessToken)
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-user'], 'anna-id')
      // Keycloak puts the groups in the ID token only, the roles in the access token only.
      assert.equal(r.echo?.headers['x-forwarded-groups'], 'role:admin,role:wiki:editor')
    })

    it('refuses a valid token without an allowed role with 403', async () => {
      const ben = await tokensFor(stack.idp, 'ben')
      assert.equal((await asBearer(ben.accessToken)).status, 403)
    })

    it('reads client roles of a service account token (client credentials shape)', async () => {
      const token = await signed({ sub: 'service-account-ci', azp: 'ci', resource_access: { wiki: { roles: ['editor'] } } })
      const r = await asBearer(token)
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-groups'], 'role:wiki:editor')
      const auth = await stack.client().get(`${url}/oauth2/auth?allowed_groups=role:admin`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(auth.status, 403, 'the query allow-list sees the roles too')
    })
  })

  describe('entra-id, one tenant', () => {
    it('applies --entra-id-allowed-tenant to bearer tokens as to sign-ins', async () => {
      const eve = await tokensFor(stack.idp, 'eve')
      await stack.restartProxy(['--provider=entra-id', `--entra-id-allowed-tenant=${OTHER_TENANT}`])
      assert.equal((await asBearer(eve.idToken)).status, 401, 'a tenant outside the list is no session')
      await stack.proxy.waitForLog(`tenant ${TENANT} is not in --entra-id-allowed-tenant`)
      await stack.restartProxy(['--provider=entra-id', `--entra-id-allowed-tenant=${TENANT}`])
      const r = await asBearer(eve.idToken)
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-email'], 'eve@contoso.com')
    })
  })

  describe('entra-id, multi-tenant (/common/v2.0)', () => {
    // Microsoft's /common/v2.0 discovery names the issuer template `<origin>/{tenantid}/v2.0`; tokens carry their
    // tenant's issuer. This stand-in serves that document with the dev IdP's endpoints and keys.
    let common: LoopbackServer

    before(async () => {
      const meta = (await (await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>
      common = await listenOnLoopback(createServer((req, res) => {
        if (req.url !== '/common/v2.0/.well-known/openid-configuration') return void res.writeHead(404).end()
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...meta, issuer: `${common.origin}/{tenantid}/v2.0` }))
      }))
      await stack.restartProxy(['--provider=entra-id', `--oidc-issuer-url=${common.origin}/common/v2.0`, `--entra-id-allowed-tenant=${TENANT}`])
    })
    after(() => common.close())

    const tenantToken = (tenant: string, tid = tenant, origin?: string): Promise<string> =>
      signed({ iss: `${origin ?? common.origin}/${tenant}/v2.0`, tid, sub: `user-of-${tenant}`, email: `u@${tenant}.example` })

    it("accepts an allowed tenant's token under its own issuer", async () => {
      const r = await asBearer(await tenantToken(TENANT))
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-user'], `user-of-${TENANT}`)
    })

    it('refuses the token of a tenant outside --entra-id-allowed-tenant', async () => {
      assert.equal((await asBearer(await tenantToken(OTHER_TENANT))).status, 401)
    })

    it('refuses an issuer that does not match the token tid, or on another origin', async () => {
      assert.equal((await asBearer(await tenantToken(TENANT, OTHER_TENANT))).status, 401)
      assert.equal((await asBearer(await tenantToken(TENANT, TENANT, 'https://login.evil.example'))).status, 401)
    })
  })

  describe('gitlab', () => {
    before(() => stack.restartProxy(['--provider=gitlab', '--gitlab-group=acme/dev']))

    it("admits --gitlab-group members by the ID token's groups_direct claim", async () => {
      const token = await signed({ sub: '4211', email: 'jo@acme.example', email_verified: true, nickname: 'jo', groups_direct: ['acme/dev', 'acme/web'] })
      const r = await asBearer(token)
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-user'], '4211', 'sub, as oauth2-proxy')
      assert.equal(r.echo?.headers['x-forwarded-groups'], 'acme/dev,acme/web')
    })

    it('prefers the configured groups claim and refuses non-members with 403', async () => {
      const token = await signed({ sub: '4212', email: 'al@acme.example', groups: ['acme/ops'], groups_direct: ['acme/dev'] })
      assert.equal((await asBearer(token)).status, 403)
    })
  })

  describe('adfs', () => {
    before(() => stack.restartProxy(['--provider=adfs']))

    it('takes upn as the email when the token has no email claim', async () => {
      const r = await asBearer(await signed({ sub: 'S-1-5-21-77', upn: 'kim@corp.example' }))
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-email'], 'kim@corp.example')
      assert.equal(r.echo?.headers['x-forwarded-user'], 'S-1-5-21-77')
    })
  })

  describe('cidaas', () => {
    before(() => stack.restartProxy(['--provider=cidaas', '--allowed-group=devs:admin']))

    it("reads cidaas's groups and roles from the token for --allowed-group", async () => {
      const token = await signed({ sub: 'c-1', email: 'c@cidaas.example', groups: [{ groupId: 'devs', roles: ['admin', 'member'] }], roles: ['USER'] })
      const r = await asBearer(token)
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-groups'], 'devs:admin,devs:member,cidaas:USER')
      const other = await signed({ sub: 'c-2', email: 'd@cidaas.example', groups: [{ groupId: 'devs', roles: ['member'] }] })
      assert.equal((await asBearer(other)).status, 403)
    })
  })

  describe('azure', () => {
    before(() => stack.restartProxy(['--provider=azure', `--azure-tenant=${TENANT}`]))

    it('accepts tokens of --oidc-issuer-url with the default claim names, as oauth2-proxy', async () => {
      const r = await asBearer(await signed({ sub: 'az-1', email: 'az@contoso.com', groups: ['g1'] }))
      assert.equal(r.status, 200)
      assert.equal(r.echo?.headers['x-forwarded-email'], 'az@contoso.com')
      assert.equal(r.echo?.headers['x-forwarded-groups'], 'g1')
    })
  })

  it('never logs a token', () => {
    assert.doesNotMatch(stack.proxy.logs(), /eyJ[A-Za-z0-9_-]+\.eyJ/)
  })
})
