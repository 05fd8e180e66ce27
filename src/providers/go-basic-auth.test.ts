import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { goBasicAuthorization, goClientSecretBasic, goQueryEscape } from './go-basic-auth.js'

describe("client credentials in Go's Basic encoding", () => {
  it("escapes as Go's url.QueryEscape (the cases of net/url's queryEscapeTests)", () => {
    assert.equal(goQueryEscape(''), '')
    assert.equal(goQueryEscape('abc'), 'abc')
    assert.equal(goQueryEscape('one two'), 'one+two')
    assert.equal(goQueryEscape('10%'), '10%25')
    assert.equal(
      goQueryEscape(' ?&=#+%!<>#"{}|\\^[]`☺\t:/@$\'()*,;'),
      '+%3F%26%3D%23%2B%25%21%3C%3E%23%22%7B%7D%7C%5C%5E%5B%5D%60%E2%98%BA%09%3A%2F%40%24%27%28%29%2A%2C%3B',
    )
  })

  it('keeps - _ . ~ and alphanumerics, escapes : and non-ASCII byte by byte in upper-case hex', () => {
    assert.equal(goQueryEscape('oauth2-proxy.test_client~1'), 'oauth2-proxy.test_client~1')
    assert.equal(goQueryEscape('a:b'), 'a%3Ab')
    assert.equal(goQueryEscape('é'), '%C3%A9')
    assert.equal(goQueryEscape('𝄞'), '%F0%9D%84%9E')
    assert.equal(goQueryEscape('\u007f\u0000'), '%7F%00')
  })

  it('builds the header golang.org/x/oauth2 sends (SetBasicAuth of the escaped parts, padded base64)', () => {
    // The case: openid-client sent oauth2%2Dproxy:oauth2%2Dproxy%2Dsecret; Go sends the parts unchanged.
    assert.equal(goBasicAuthorization('oauth2-proxy', 'oauth2-proxy-secret'), `Basic ${Buffer.from('oauth2-proxy:oauth2-proxy-secret').toString('base64')}`)
    assert.equal(goBasicAuthorization('my client', 'p@ss:w/rd é'), `Basic ${Buffer.from('my+client:p%40ss%3Aw%2Frd+%C3%A9').toString('base64')}`)
    assert.equal(goBasicAuthorization('a', ''), 'Basic YTo=')
  })

  it('as openid-client client authentication: sets only the Authorization header, adds nothing to the form', () => {
    const headers = new Headers()
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'x' })
    goClientSecretBasic('s3cr-et_x.y~z')({ issuer: 'https://idp.test' }, { client_id: 'oauth2-proxy.test-client' }, body, headers)
    assert.equal(headers.get('authorization'), `Basic ${Buffer.from('oauth2-proxy.test-client:s3cr-et_x.y~z').toString('base64')}`)
    assert.equal(body.toString(), 'grant_type=authorization_code&code=x')
  })
})
