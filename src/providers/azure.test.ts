import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { azureScope, isAzureV2 } from './azure.js'
import { jwtPayload } from './jwt-payload.js'

const ME = 'https://graph.microsoft.com/v1.0/me'

describe('azureScope', () => {
  it('is "openid" by default and left alone on v1', () => {
    assert.equal(azureScope('', false, ME), 'openid')
    assert.equal(azureScope('openid groups', false, ME), 'openid groups')
  })

  it('on v2.0 drops " groups" and adds the Graph .default scope once, for the profile URL host', () => {
    assert.equal(azureScope('openid email groups', true, ME), 'openid email https://graph.microsoft.com/.default')
    assert.equal(azureScope('openid https://graph.microsoft.com/.default', true, ME), 'openid https://graph.microsoft.com/.default')
    assert.equal(azureScope('', true, 'https://graph.microsoft.us/v1.0/me'), 'openid https://graph.microsoft.us/.default')
  })
})

describe('isAzureV2', () => {
  it('reads the issuer with discovery and the login URL without it', () => {
    assert.equal(isAzureV2({ skipDiscovery: false, issuerUrl: 'https://login.microsoftonline.com/t/v2.0', loginUrl: '' }), true)
    assert.equal(isAzureV2({ skipDiscovery: false, issuerUrl: 'https://sts.windows.net/t/', loginUrl: 'https://x/v2.0/authorize' }), false)
    assert.equal(isAzureV2({ skipDiscovery: true, issuerUrl: 'https://sts.windows.net/t/', loginUrl: 'https://login.microsoftonline.com/t/oauth2/v2.0/authorize' }), true)
  })
})

describe('jwtPayload', () => {
  it('reads a JWT payload and gives {} for opaque or malformed tokens', () => {
    const token = `e30.${Buffer.from(JSON.stringify({ upn: 'a@b' })).toString('base64url')}.sig`
    assert.deepEqual(jwtPayload(token), { upn: 'a@b' })
    assert.deepEqual(jwtPayload('opaque-token'), {})
    assert.deepEqual(jwtPayload('a.!!!.c'), {})
    assert.deepEqual(jwtPayload(`a.${Buffer.from('[1]').toString('base64url')}.c`), {})
    assert.deepEqual(jwtPayload(undefined), {})
  })
})
