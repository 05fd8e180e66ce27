import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { cleanProviderText, detailFromBody, detailFromOAuthError, formatProviderError } from './provider-error.js'

describe('what the IdP said, for a log line', () => {
  it('reads error and error_description from JSON and from a form-encoded body', () => {
    assert.deepEqual(detailFromBody('{"error":"unauthorized_client","error_description":"nope"}', 403), { status: 403, error: 'unauthorized_client', description: 'nope' })
    assert.deepEqual(detailFromBody('error=bad_verification_code&error_description=The+code+is+wrong', 200), { status: 200, error: 'bad_verification_code', description: 'The code is wrong' })
    assert.deepEqual(detailFromBody('<html>Bad Gateway</html>', 502), { status: 502 })
    assert.deepEqual(detailFromBody('{"error":{"message":"x"}}'), {}, 'a non-string error is not an OAuth error code')
  })

  it('formats status, error and description, or nothing when the IdP said nothing readable', () => {
    assert.equal(formatProviderError({ status: 403, error: 'unauthorized_client', description: 'Invalid client' }), 'answered 403 unauthorized_client: Invalid client')
    assert.equal(formatProviderError({ status: 500 }), 'answered 500')
    assert.equal(formatProviderError({ description: 'only words' }), 'answered: only words')
    assert.equal(formatProviderError({}), '')
  })

  it('removes control characters, folds blanks and bounds the length', () => {
    assert.equal(cleanProviderText('a\r\n\tb\u0000c\u001b[2J\u007f\u0085\u2028\u202e d', 100), 'a b c [2J d')
    assert.equal(cleanProviderText('x'.repeat(500), 300), `${'x'.repeat(300)}…`)
    assert.equal(cleanProviderText(' \n ', 10), undefined)
    assert.equal(cleanProviderText(42, 10), undefined)
    const long = formatProviderError({ error: 'e'.repeat(1000), description: 'd'.repeat(5000) })
    assert.ok(long.length < 450, `bounded: ${long.length}`)
  })

  it('redacts the secrets of the call and anything shaped like a JWT, before cutting', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl'
    const said = formatProviderError({ error: 'invalid_grant', description: `code abcd-1234 and secret s3cret! and token ${jwt} refused` }, ['abcd-1234', 's3cret!', undefined, 'ab'])
    assert.equal(said, 'answered invalid_grant: code [redacted] and secret [redacted] and token [redacted] refused')
    const cut = formatProviderError({ description: `${'x'.repeat(295)}SECRET-VALUE` }, ['SECRET-VALUE'])
    assert.doesNotMatch(cut, /SECR/)
  })

  it("reads openid-client's errors: an OAuth error body, a WWW-Authenticate challenge, a non-OAuth status", () => {
    assert.deepEqual(detailFromOAuthError({ code: 'OAUTH_RESPONSE_BODY_ERROR', status: 400, error: 'invalid_grant', error_description: 'expired' }), { status: 400, error: 'invalid_grant', description: 'expired' })
    const challenge = { code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE', status: 401, cause: [{ scheme: 'bearer', parameters: { error: 'invalid_token', error_description: 'The access token expired' } }] }
    assert.deepEqual(detailFromOAuthError(challenge), { status: 401, error: 'invalid_token', description: 'The access token expired' })
    assert.deepEqual(detailFromOAuthError({ code: 'OAUTH_RESPONSE_IS_NOT_CONFORM', cause: { status: 502 } }), { status: 502 })
    assert.deepEqual(detailFromOAuthError(new TypeError('fetch failed')), {})
  })
})
