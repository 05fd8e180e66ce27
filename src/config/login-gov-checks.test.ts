import { strict as assert } from 'node:assert'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { ConfigError } from '../errors.js'
import { loadConfig } from './load.js'

const SECRET = 'WPhMdy4iqkV_8WqZqrAaASi6jPuDlBgZp2Hfm_JAZnE='
const BASE = ['--provider=login.gov', '--client-id=urn:gov:gsa:openidconnect:sp:app', `--cookie-secret=${SECRET}`, '--email-domain=*']
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
const EC_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const JWKS = '--pubjwk-url=https://secure.login.gov/api/openid_connect/certs'

function problems(argv: string[]): string[] {
  try {
    loadConfig({ argv, env: {} })
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return err.issues.map((i) => `${i.option}: ${i.message}`)
  }
  return []
}

describe('login.gov configuration', () => {
  it('needs no client secret, only the RSA key and --pubjwk-url', () => {
    assert.deepEqual(problems([...BASE, `--jwt-key=${PEM}`, JWKS]), [])
  })

  it('names the missing or doubled key, a key of the wrong kind and the missing key set', () => {
    assert.deepEqual(problems(BASE), [
      '--jwt-key: login.gov signs its client assertion with an RSA private key: set --jwt-key (PEM) or --jwt-key-file',
      '--pubjwk-url: login.gov ID tokens are verified with the key set at --pubjwk-url (e.g. https://secure.login.gov/api/openid_connect/certs): set it',
    ])
    assert.deepEqual(problems([...BASE, `--jwt-key=${PEM}`, '--jwt-key-file=/x.pem', JWKS]), ['--jwt-key-file: set either --jwt-key or --jwt-key-file, not both'])
    assert.deepEqual(problems([...BASE, `--jwt-key=${EC_PEM}`, JWKS]), ['--jwt-key: the key is ec, login.gov needs an RSA private key'])
    assert.match(problems([...BASE, '--jwt-key=nonsense', JWKS]).join('\n'), /^--jwt-key: not a PEM private key/)
    assert.match(problems([...BASE, '--jwt-key-file=/nonexistent/jwt.pem', JWKS]).join('\n'), /^--jwt-key-file: cannot read \/nonexistent\/jwt\.pem \(ENOENT\)/)
  })
})
