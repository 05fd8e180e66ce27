import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { parseTokenAnswer, plainLoginUrl } from './oauth2-base.js'

describe('plain OAuth2 base', () => {
  it('reads the access token from JSON or from a form-encoded answer (GitHub without Accept: application/json)', () => {
    assert.deepEqual(parseTokenAnswer({ text: '{"access_token":"gho_x","token_type":"bearer","scope":"user:email"}' }), { accessToken: 'gho_x' })
    assert.deepEqual(parseTokenAnswer({ text: 'access_token=gho_y&scope=user%3Aemail&token_type=bearer' }), { accessToken: 'gho_y' })
    assert.deepEqual(parseTokenAnswer({ text: 'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.' }), { error: 'bad_verification_code' })
    assert.deepEqual(parseTokenAnswer({ text: '{"error":"invalid_grant"}' }), { error: 'invalid_grant' })
    assert.equal(parseTokenAnswer({ text: '<html>oops</html>' }), undefined)
  })

  it("builds oauth2-proxy's login URL: sorted parameters, the configured ones after ours, PKCE when given, no nonce", () => {
    const base = { loginUrl: 'https://github.com/login/oauth/authorize?allow_signup=false', clientId: 'cid', scope: 'user:email read:org', responseMode: '' }
    const url = plainLoginUrl(base, { redirectUri: 'https://app/oauth2/callback', state: 'abc:/', codeChallenge: undefined, codeChallengeMethod: undefined, extraParams: [['approval_prompt', 'force']] })
    assert.equal(url, 'https://github.com/login/oauth/authorize?allow_signup=false&approval_prompt=force&client_id=cid&redirect_uri=https%3A%2F%2Fapp%2Foauth2%2Fcallback&response_type=code&scope=user%3Aemail+read%3Aorg&state=abc%3A%2F')
    const pkce = new URL(plainLoginUrl(base, { redirectUri: 'r', state: 's', codeChallenge: 'ch', codeChallengeMethod: 'S256', extraParams: [['scope', 'extra'], ['prompt', 'consent']] }))
    assert.equal(pkce.searchParams.get('prompt'), 'consent')
    assert.deepEqual(pkce.searchParams.getAll('scope'), ['user:email read:org', 'extra'])
    assert.equal(pkce.searchParams.get('code_challenge'), 'ch')
    assert.equal(pkce.searchParams.get('code_challenge_method'), 'S256')
  })
})
