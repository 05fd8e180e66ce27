import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { configObject, type Config } from '../config/shape.js'
import { restartOnlyProblems } from './restart-only.js'

// The defaults alone: the cross-option checks belong to the loader, not to this comparison.
const base = configObject.parse({ cookieSecret: 'a'.repeat(32) }) as Config

describe('restart-only options', () => {
  it('accepts changes a reload can apply', () => {
    assert.deepEqual(restartOnlyProblems(base, { ...base, emailDomains: ['example.com'], upstreams: ['http://127.0.0.1:2/'], cookieName: 'other' }), [])
  })

  it('names each option only a restart can change, never showing a secret', () => {
    const next: Config = { ...base, httpAddress: '127.0.0.1:9', cookieSecret: 'b'.repeat(32), redisConnectionUrl: 'redis://x', tlsCertFile: 'c.pem', tlsKeyFile: 'k.pem' }
    const problems = restartOnlyProblems(base, next)
    assert.deepEqual(problems.map((p) => p.option), ['--http-address', '--cookie-secret', '--redis-connection-url', '--tls-cert-file'])
    assert.equal(problems[0]?.value, '127.0.0.1:9')
    assert.match(problems[0]?.message ?? '', /restart gatehouse to change --http-address/)
    assert.equal(problems[1]?.value, undefined, 'the cookie secret is never echoed')
    assert.match(problems[3]?.message ?? '', /cannot turn the HTTPS listener on/)
  })

  it('compares whether HTTPS is on, not which certificate file: a renewed certificate elsewhere is taken', () => {
    const tls: Config = { ...base, tlsCertFile: 'c.pem', tlsKeyFile: 'k.pem' }
    assert.deepEqual(restartOnlyProblems(tls, { ...tls, tlsCertFile: 'renewed.pem', tlsKeyFile: 'renewed-key.pem' }), [])
    assert.match(restartOnlyProblems(tls, base)[0]?.message ?? '', /cannot turn the HTTPS listener off/)
  })
})
