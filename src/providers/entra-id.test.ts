import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { entraBearerCheck, entraExpectedIssuer, entraIssuerPolicy, hasGroupOverage, tenantFromIssuer } from './entra-id.js'
import { fetchTransitiveGroupIds } from './ms-graph.js'

const MS = 'https://login.microsoftonline.com'
const TID = '9188040d-6c67-4c5b-b112-36a304b66dad'

describe('tenantFromIssuer', () => {
  it('reads <tenant> from <origin>/<tenant>/v2.0 on the configured issuer origin only', () => {
    assert.equal(tenantFromIssuer(`${MS}/${TID}/v2.0`, `${MS}/common/v2.0`), TID)
    assert.equal(tenantFromIssuer(`${MS}/${TID}/v2.0`, `${MS}/${TID}/v2.0`), TID)
    assert.equal(tenantFromIssuer(`https://evil.example/${TID}/v2.0`, `${MS}/common/v2.0`), undefined)
    assert.equal(tenantFromIssuer(`${MS}/${TID}/v2.0/`, `${MS}/common/v2.0`), undefined)
    assert.equal(tenantFromIssuer(`${MS}/${TID}`, `${MS}/common/v2.0`), undefined)
    assert.equal(tenantFromIssuer(`${MS}/a/b/v2.0`, `${MS}/common/v2.0`), undefined)
    assert.equal(tenantFromIssuer(undefined, `${MS}/common/v2.0`), undefined)
  })
})

describe('entraExpectedIssuer', () => {
  it('fills the {tenantid} template of multi-tenant discovery with the token tid', () => {
    assert.equal(entraExpectedIssuer(`${MS}/{tenantid}/v2.0`, `${MS}/common/v2.0`, { tid: TID }), `${MS}/${TID}/v2.0`)
  })

  it('expects the configured issuer otherwise, or when tid is missing or odd', () => {
    assert.equal(entraExpectedIssuer(`${MS}/${TID}/v2.0`, `${MS}/${TID}/v2.0`, { tid: 'other' }), `${MS}/${TID}/v2.0`)
    assert.equal(entraExpectedIssuer(`${MS}/{tenantid}/v2.0`, `${MS}/common/v2.0`, {}), `${MS}/common/v2.0`)
    assert.equal(entraExpectedIssuer(`${MS}/{tenantid}/v2.0`, `${MS}/common/v2.0`, { tid: 'a/../b' }), `${MS}/common/v2.0`)
  })
})

describe('hasGroupOverage', () => {
  it('is true when _claim_names names groups', () => {
    assert.equal(hasGroupOverage({ _claim_names: { groups: 'src1' } }), true)
    assert.equal(hasGroupOverage({ _claim_names: { other: 'src1' } }), false)
    assert.equal(hasGroupOverage({ groups: [] }), false)
  })
})

describe('fetchTransitiveGroupIds', () => {
  const page = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

  it('never sends the token to a next link on another origin', async () => {
    const seen: string[] = []
    const fetch = (async (input: string) => {
      seen.push(input)
      return page({ value: [{ id: 'g1' }], '@odata.nextLink': 'https://attacker.example/v1.0/me/transitiveMemberOf?$skiptoken=x' })
    }) as unknown as typeof globalThis.fetch
    await assert.rejects(fetchTransitiveGroupIds({ fetch, graphUrl: 'https://graph.microsoft.com', accessToken: 't' }), /another origin/)
    assert.deepEqual(seen, ['https://graph.microsoft.com/v1.0/me/transitiveMemberOf?$select=id&$top=100'])
  })

  it('reports Graph error codes and messages', async () => {
    const fetch = (async () => page({ error: { code: 'InvalidAuthenticationToken', message: 'no' } }, 401)) as unknown as typeof globalThis.fetch
    await assert.rejects(fetchTransitiveGroupIds({ fetch, graphUrl: 'https://graph.microsoft.com', accessToken: 't' }), /401 \(InvalidAuthenticationToken: no\)$/)
  })
})

describe('entraIssuerPolicy', () => {
  const policy = entraIssuerPolicy(`${MS}/common/v2.0`)
  it('claims tenant issuers of the configured origin, before any network call', () => {
    assert.equal(policy.mayIssue(`${MS}/${TID}/v2.0`), true)
    assert.equal(policy.mayIssue(`${MS}/common/v2.0`), true)
    assert.equal(policy.mayIssue(`https://evil.example/${TID}/v2.0`), false)
  })
  it('accepts the configured issuer or the tenant template from discovery, and expects the token tid issuer', () => {
    assert.equal(policy.acceptsDiscovered(`${MS}/{tenantid}/v2.0`), true)
    assert.equal(policy.acceptsDiscovered(`${MS}/common/v2.0`), true)
    assert.equal(policy.acceptsDiscovered('https://evil.example/{tenantid}/v2.0'), false)
    assert.equal(policy.expected(`${MS}/{tenantid}/v2.0`, { tid: TID }), `${MS}/${TID}/v2.0`)
    assert.equal(entraIssuerPolicy(`${MS}/${TID}/v2.0`).expected(`${MS}/${TID}/v2.0`, { tid: 'other' }), `${MS}/${TID}/v2.0`)
  })
})

describe('entraBearerCheck', () => {
  it('refuses a tenant outside --entra-id-allowed-tenant and a non-tenant issuer', () => {
    const session = { user: 'u' }
    assert.equal(entraBearerCheck(`${MS}/common/v2.0`, [TID])(session, { iss: `${MS}/${TID}/v2.0` }), session)
    assert.match(String(entraBearerCheck(`${MS}/common/v2.0`, ['other'])(session, { iss: `${MS}/${TID}/v2.0` })), /not in --entra-id-allowed-tenant/)
    assert.match(String(entraBearerCheck(`${MS}/common/v2.0`, [])(session, { iss: `${MS}/common` })), /not an Entra ID v2.0 tenant issuer/)
  })
})
