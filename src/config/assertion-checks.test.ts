import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ConfigError } from '../errors.js'
import { loadConfig } from './load.js'

const SECRET = 'WPhMdy4iqkV_8WqZqrAaASi6jPuDlBgZp2Hfm_JAZnE='
const BASE = ['--provider=oidc', '--oidc-issuer-url=https://idp.example.com', '--client-id=app', '--client-secret=s3cret', `--cookie-secret=${SECRET}`, '--email-domain=*']

function problems(argv: string[]): string[] {
  try {
    loadConfig({ argv, env: {} })
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return err.issues.map((i) => `${i.option}: ${i.message}`)
  }
  return []
}

describe('identity assertion and request signing options', () => {
  it('accepts the defaults and a full set', () => {
    assert.deepEqual(problems([...BASE, '--set-identity-assertion']), [])
    assert.deepEqual(problems([...BASE, '--set-identity-assertion', '--assertion-ttl=10m', '--assertion-signing-alg=EdDSA', '--assertion-header=X-User-Jwt', '--assertion-issuer=https://auth.example.com', '--signature-key=sha512:k']), [])
  })

  it('refuses a lifetime past 10 minutes or too short to arrive, a bad header name, algorithm or issuer', () => {
    assert.deepEqual(problems([...BASE, '--assertion-ttl=11m']), ['--assertion-ttl: --assertion-ttl is 660s, past the 10m an assertion may live: set it to 10m or less (default 5m)'])
    assert.match(problems([...BASE, '--assertion-ttl=2s']).join(), /must live at least 10s/)
    assert.match(problems([...BASE, '--assertion-header=X Bad']).join(), /--assertion-header: expected an HTTP header name/)
    assert.match(problems([...BASE, '--assertion-signing-alg=HS256']).join(), /--assertion-signing-alg: must be one of: ES256, EdDSA, RS256/)
    assert.match(problems([...BASE, '--assertion-issuer=auth.example.com']).join(), /--assertion-issuer: expected an absolute URL/)
  })

  it('says md4 cannot be computed here instead of failing on the first request', () => {
    assert.deepEqual(problems([...BASE, '--signature-key=md4:k']), ['--signature-key: --signature-key uses md4, which this Node.js build (OpenSSL 3) cannot compute: use sha256:<secret> and the same at the upstream'])
  })
})
