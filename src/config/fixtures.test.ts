import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { ConfigError, type ConfigIssue } from '../errors.js'
import { loadConfig, type LoadInput } from './load.js'

function fixture(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/configs/${name}`, import.meta.url))
}

/** The variables a docker-compose `environment:` list sets. */
function composeEnv(path: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const m of readFileSync(path, 'utf8').matchAll(/^\s*- (OAUTH2_PROXY_[A-Z0-9_]+)=(.*)$/gm)) env[m[1] ?? ''] = m[2] ?? ''
  return env
}

/** The variables `docker run -e "NAME=value"` arguments set. */
function dockerRunEnv(path: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const m of readFileSync(path, 'utf8').matchAll(/-e "(OAUTH2_PROXY_[A-Z0-9_]+)=([^"]*)"/g)) env[m[1] ?? ''] = m[2] ?? ''
  return env
}

function issuesOf(input: LoadInput): ConfigIssue[] {
  try {
    loadConfig(input)
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return [...err.issues]
  }
  assert.fail('expected a ConfigError')
}

describe('real-world oauth2-proxy configurations', () => {
  it('Pocket ID cfg file loads as is', () => {
    const r = loadConfig({ argv: ['--config', fixture('pocket-id.cfg')], env: {} })
    assert.equal(r.kind, 'config')
    if (r.kind !== 'config') return
    assert.deepEqual(r.warnings, [])
    const c = r.config
    assert.equal(c.provider, 'oidc')
    assert.equal(c.oidcIssuerUrl, 'https://id.home.example.net')
    assert.equal(c.codeChallengeMethod, 'S256')
    assert.equal(c.scope, 'openid email profile groups')
    assert.deepEqual(c.emailDomains, ['*'])
    assert.deepEqual(c.upstreams, ['http://127.0.0.1:8000/'])
    assert.equal(c.redirectUrl, 'https://paperless.home.example.net/oauth2/callback')
    assert.equal(c.reverseProxy, true)
    assert.equal(c.setXauthrequest, true)
    assert.equal(c.skipProviderButton, true)
    assert.equal(c.cookieExpire, 604_800_000)
  })

  it('Entra ID per-domain cfg is accepted as written, metrics listener included', () => {
    const file = fixture('entra-id-grafana.cfg')
    const r = loadConfig({ argv: ['--config', file], env: {} })
    assert.equal(r.kind, 'config')
    if (r.kind !== 'config') return
    assert.equal(r.config.metricsAddress, '0.0.0.0:44180')
    assert.equal(r.config.provider, 'entra-id')
    assert.equal(r.config.passAuthorizationHeader, true)
    assert.equal(r.config.cookieRefresh, 55 * 60_000)
    assert.deepEqual(r.config.cookieDomains, ['.contoso.com'])
  })

  it('Keycloak docker-compose environment loads as is', () => {
    const env = composeEnv(fixture('keycloak-compose.yml'))
    assert.equal(Object.keys(env).length, 20)
    const r = loadConfig({ argv: [], env })
    assert.equal(r.kind, 'config')
    if (r.kind !== 'config') return
    assert.equal(r.config.provider, 'keycloak-oidc')
    assert.deepEqual(r.config.allowedRoles, ['wiki:editor', 'wiki:reader'])
    assert.deepEqual(r.config.allowedGroups, ['/staff'])
    assert.equal(r.config.cookieRefresh, 300_000)
  })

  it('Crossid docker run without discovery loads as is', () => {
    const env = dockerRunEnv(fixture('crossid-docker-run.sh'))
    assert.equal(Object.keys(env).length, 18)
    const r = loadConfig({ argv: [], env })
    assert.equal(r.kind, 'config')
    if (r.kind !== 'config') return
    const c = r.config
    assert.equal(c.skipOidcDiscovery, true)
    assert.equal(c.loginUrl, 'https://acme.crossid.io/oauth2/auth')
    assert.equal(c.redeemUrl, 'https://acme.crossid.io/oauth2/token')
    assert.equal(c.oidcJwksUrl, 'https://acme.crossid.io/oauth2/.well-known/jwks.json')
    assert.equal(c.profileUrl, 'https://acme.crossid.io/oauth2/userinfo')
    assert.equal(c.validateUrl, 'https://acme.crossid.io/oauth2/userinfo')
    assert.deepEqual(c.upstreams, ['http://httpbin:80/'])
    assert.equal(c.cookieSecure, false)
  })
})
