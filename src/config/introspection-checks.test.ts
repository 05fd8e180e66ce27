import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ConfigError } from '../errors.js'
import { loadConfig } from './load.js'

const SECRET = 'WPhMdy4iqkV_8WqZqrAaASi6jPuDlBgZp2Hfm_JAZnE='
const OIDC = ['--provider=oidc', '--oidc-issuer-url=https://idp.example.com', '--client-id=app', '--client-secret=s3cret', `--cookie-secret=${SECRET}`, '--email-domain=*']

function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ argv, env })
    return []
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return err.issues.map((i) => `${i.option}: ${i.message}`)
  }
}

describe('introspection start-up checks', () => {
  it('accepts the options from flags, OAUTH2_PROXY_* variables and with the JWT loader', () => {
    assert.deepEqual(problems([...OIDC, '--introspect-bearer-tokens', '--introspection-url=https://idp.example.com/introspect', '--introspection-cache-ttl=1m', '--skip-jwt-bearer-tokens']), [])
    assert.deepEqual(problems(OIDC, { OAUTH2_PROXY_INTROSPECT_BEARER_TOKENS: 'true', OAUTH2_PROXY_INTROSPECTION_CACHE_TTL: '0s' }), [])
  })

  it('refuses a provider without introspection, a public client, and a bad URL', () => {
    const github = ['--provider=github', '--client-id=app', '--client-secret=s3cret', `--cookie-secret=${SECRET}`, '--email-domain=*', '--introspect-bearer-tokens']
    assert.match(problems(github).join('\n'), /--introspect-bearer-tokens.*needs an OpenID Connect provider.*provider "github"/)
    const publicClient = [...OIDC.filter((a) => !a.startsWith('--client-secret')), '--code-challenge-method=S256', '--introspect-bearer-tokens']
    assert.match(problems(publicClient).join('\n'), /calls the introspection endpoint as the client: set --client-secret/)
    assert.match(problems([...OIDC, '--introspect-bearer-tokens', '--introspection-url=ftp://x']).join('\n'), /--introspection-url="ftp:\/\/x"|--introspection-url.*http/)
  })

  it('asks for the URL without discovery, refuses it alone, and bounds the cache TTL', () => {
    const manual = [...OIDC, '--skip-oidc-discovery', '--login-url=https://idp.example.com/auth', '--redeem-url=https://idp.example.com/token', '--oidc-jwks-url=https://idp.example.com/jwks', '--introspect-bearer-tokens']
    assert.match(problems(manual).join('\n'), /needs --introspection-url/)
    assert.deepEqual(problems([...manual, '--introspection-url=https://idp.example.com/introspect']), [])
    assert.match(problems([...OIDC, '--introspection-url=https://idp.example.com/introspect']).join('\n'), /does nothing without --introspect-bearer-tokens/)
    assert.match(problems([...OIDC, '--introspect-bearer-tokens', '--introspection-cache-ttl=2h']).join('\n'), /--introspection-cache-ttl.*1h or less/)
  })
})
