import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ConfigError, type ConfigIssue } from '../errors.js'
import { IMPLEMENTED_PROVIDERS } from '../providers/provider-names.js'
import { loadConfig } from './load.js'
import { PROVIDER_TYPES } from './options/provider.js'

const SECRET = 'WPhMdy4iqkV_8WqZqrAaASi6jPuDlBgZp2Hfm_JAZnE='
const BASE = ['--provider=oidc', '--oidc-issuer-url=https://idp.example.com', '--client-id=app', '--client-secret=s3cret', `--cookie-secret=${SECRET}`, '--email-domain=example.com']

function without(...prefixes: string[]): string[] {
  return BASE.filter((a) => !prefixes.some((p) => a.startsWith(p)))
}

function issuesOf(argv: string[], env: Record<string, string> = {}): ConfigIssue[] {
  try {
    loadConfig({ argv, env })
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return [...err.issues]
  }
  assert.fail('expected a ConfigError')
}

function messages(argv: string[], env: Record<string, string> = {}): string[] {
  return issuesOf(argv, env).map((i) => `${i.option}: ${i.message}`)
}

function loads(argv: string[]): void {
  assert.equal(loadConfig({ argv, env: {} }).kind, 'config')
}

describe('config validation', () => {
  it('reports every problem at once', () => {
    const issues = issuesOf([...BASE, '--cookie-samesite=relaxed', '--upstream=localhost:8080', '--trusted-ip=10.0.0.0/40', '--skip-auth-route=GET=^/(', '--cookie-expire=7d'])
    assert.equal(issues.length, 5, JSON.stringify(issues, null, 1))
    assert.deepEqual(
      issues.map((i) => i.option),
      ['--cookie-expire', '--upstream', '--cookie-samesite', '--skip-auth-route', '--trusted-ip'],
    )
    assert.ok(new ConfigError(issues).message.split('\n').length === 6)
  })

  it('needs a cookie secret, a client id, a client secret and an email rule', () => {
    assert.deepEqual(messages(['--provider=oidc', '--oidc-issuer-url=https://idp.example.com']), [
      "--cookie-secret: a cookie secret is required: set --cookie-secret or --cookie-secret-file; create one with: openssl rand -base64 32 | tr -- '+/' '-_'",
      '--client-id: a client ID is required: set --client-id to the ID registered at the identity provider',
      '--client-secret: a client secret is required: set --client-secret or --client-secret-file (a public client without a secret needs --code-challenge-method=S256)',
      '--email-domain: no rule says which users may sign in: set --email-domain (use --email-domain=* to allow every email address), --authenticated-emails-file or --htpasswd-file',
    ])
  })

  it('allows a public client without a secret when PKCE is on', () => {
    loads([...without('--client-secret'), '--code-challenge-method=S256'])
  })

  it('refuses a cookie secret of the wrong size, without echoing it', () => {
    const [issue, ...rest] = issuesOf([...without('--cookie-secret'), '--cookie-secret=tooshort-secret'])
    assert.deepEqual(rest, [])
    assert.equal(issue?.option, '--cookie-secret')
    assert.equal(issue?.value, undefined)
    assert.match(issue?.message ?? '', /16, 24 or 32 bytes.*openssl rand -base64 32 \| tr -- '\+\/' '-_'/)
    assert.doesNotMatch(new ConfigError([issue as ConfigIssue]).message, /tooshort/)
  })

  it('explains the provider: unknown, default google, known but not implemented', () => {
    // google, oauth2-proxy's default, needs no issuer URL: its endpoints are built in.
    loads(without('--provider', '--oidc-issuer-url'))
    // A type oauth2-proxy knows that gatehouse does not implement yet (the list shrinks as providers are added).
    const notYet = PROVIDER_TYPES.find((p) => p !== 'google' && !IMPLEMENTED_PROVIDERS.includes(p))
    if (notYet === undefined) assert.deepEqual([...IMPLEMENTED_PROVIDERS].sort(), [...PROVIDER_TYPES].sort(), 'every provider type is implemented')
    else {
      assert.deepEqual(messages([...BASE, `--provider=${notYet}`]), [
        `--provider: provider "${notYet}" is not supported yet by gatehouse (implemented: ${IMPLEMENTED_PROVIDERS.join(', ')}): pass --provider=oidc with the provider's --oidc-issuer-url if it speaks standard OpenID Connect`,
      ])
    }
    assert.deepEqual(messages([...BASE, '--insecure-oidc-skip-issuer-verification']), [
      '--insecure-oidc-skip-issuer-verification: --insecure-oidc-skip-issuer-verification is only supported with --provider=entra-id (multi-tenant apps) so far',
    ])
    const entra = loadConfig({ argv: [...BASE.map((a) => (a === '--provider=oidc' ? '--provider=entra-id' : a)), '--insecure-oidc-skip-issuer-verification'], env: {} })
    assert.equal(entra.kind, 'config')
    const [unknown] = issuesOf([...BASE, '--provider=okta'])
    assert.equal(unknown?.value, 'okta')
    assert.match(unknown?.message ?? '', /^unknown provider; oauth2-proxy knows: oidc, keycloak-oidc, keycloak, entra-id, azure, adfs, gitlab, github, google, login\.gov, bitbucket, cidaas, digitalocean, facebook, linkedin, nextcloud, sourcehut$/)
  })

  it('azure without discovery needs only the key set: its login and token URLs default to --azure-tenant', () => {
    const azure = [...without('--oidc-issuer-url', '--provider'), '--provider=azure', '--skip-oidc-discovery', '--oidc-jwks-url=https://login.microsoftonline.com/common/discovery/keys']
    assert.equal(loadConfig({ argv: azure, env: {} }).kind, 'config')
  })

  it('needs an issuer URL, or the endpoints when discovery is skipped', () => {
    assert.match(messages(without('--oidc-issuer-url')).join('\n'), /^--oidc-issuer-url: provider "oidc" needs --oidc-issuer-url/)
    assert.deepEqual(messages([...without('--oidc-issuer-url'), '--skip-oidc-discovery']), [
      '--login-url: --login-url (the authorization endpoint) is required with --skip-oidc-discovery',
      '--redeem-url: --redeem-url (the token endpoint) is required with --skip-oidc-discovery',
      '--oidc-jwks-url: --oidc-jwks-url (or --oidc-public-key-file) is required with --skip-oidc-discovery, to verify ID tokens',
    ])
    loads([...without('--oidc-issuer-url'), '--skip-oidc-discovery', '--login-url=https://idp/auth', '--redeem-url=https://idp/token', '--oidc-jwks-url=https://idp/jwks'])
  })

  it('loads options at values other than their defaults, and refuses --convert-config-to-alpha with --alpha-config', () => {
    loads([...BASE, '--logging-max-size=100', '--approval-prompt=force', '--skip-jwt-bearer-tokens=false'])
    assert.deepEqual(messages([...BASE, '--alpha-config=alpha.yaml', '--convert-config-to-alpha']), [
      '--convert-config-to-alpha: cannot use --alpha-config and --convert-config-to-alpha together',
    ])
  })

  it('checks cookie refresh against expiry, and minimal sessions against token use', () => {
    assert.deepEqual(messages([...BASE, '--cookie-refresh=2h', '--cookie-expire=1h']), [
      '--cookie-refresh: --cookie-refresh must be shorter than --cookie-expire (or 0 to never refresh)',
    ])
    loads([...BASE, '--cookie-refresh=2h', '--cookie-expire=0'])
    assert.deepEqual(
      messages([...BASE, '--session-cookie-minimal', '--cookie-refresh=1m', '--pass-access-token', '--pass-authorization-header', '--set-authorization-header']).map((m) => m.split(':')[0]),
      ['--cookie-refresh', '--pass-access-token', '--pass-authorization-header', '--set-authorization-header'],
    )
    loads([...BASE, '--session-cookie-minimal', '--set-xauthrequest'])
  })

  it('checks that each Redis mode has its addresses, without echoing a URL', () => {
    loads([...BASE, '--session-store-type=redis', '--redis-connection-url=redis://:pw@127.0.0.1:6379/2'])
    loads([...BASE, '--session-store-type=redis', '--redis-connection-url=unix:///run/redis.sock'])
    loads([...BASE, '--session-store-type=redis', '--redis-use-sentinel', '--redis-sentinel-master-name=m', '--redis-sentinel-connection-urls=redis://a:26379,redis://b:26379'])
    loads([...BASE, '--session-store-type=redis', '--redis-use-cluster', '--redis-cluster-connection-urls=redis://a:7000'])
    assert.deepEqual(messages([...BASE, '--session-store-type=redis']).map((m) => m.split(':')[0]), ['--redis-connection-url'])
    assert.deepEqual(messages([...BASE, '--session-store-type=redis', '--redis-use-sentinel']).map((m) => m.split(':')[0]), [
      '--redis-sentinel-master-name',
      '--redis-sentinel-connection-urls',
    ])
    assert.deepEqual(messages([...BASE, '--session-store-type=redis', '--redis-use-cluster']).map((m) => m.split(':')[0]), ['--redis-cluster-connection-urls'])
    assert.deepEqual(messages([...BASE, '--session-store-type=redis', '--redis-use-cluster', '--redis-use-sentinel', '--redis-cluster-connection-urls=redis://a']).map((m) => m.split(':')[0]), ['--redis-use-cluster'])
    const bad = messages([...BASE, '--session-store-type=redis', '--redis-connection-url=http://user:hunter2@cache'])
    assert.equal(bad.length, 1)
    assert.doesNotMatch(bad.join(), /hunter2/)
    // Cookie sessions keep their revocation list in a configured Redis: the same checks apply, and none without one.
    loads([...BASE, '--redis-connection-url=redis://127.0.0.1:6379'])
    assert.deepEqual(messages([...BASE, '--redis-use-sentinel']).map((m) => m.split(':')[0]), ['--redis-sentinel-master-name', '--redis-sentinel-connection-urls'])
    assert.equal(messages([...BASE, '--redis-connection-url=http://cache']).length, 1)
  })

  it('refuses two options that both write the Authorization header', () => {
    assert.deepEqual(messages([...BASE, '--set-basic-auth', '--set-authorization-header']), [
      '--set-basic-auth: --set-basic-auth and --set-authorization-header both write the Authorization response header: keep one',
    ])
    assert.equal(messages([...BASE, '--basic-auth-password=pw', '--pass-authorization-header']).length, 1)
    loads([...BASE, '--basic-auth-password=pw', '--pass-authorization-header', '--pass-basic-auth=false'])
    loads([...BASE, '--pass-authorization-header'])
  })

  it('checks enumerations, TLS pairs, addresses, headers and names', () => {
    assert.deepEqual(
      issuesOf([
        ...BASE,
        '--tls-cert-file=/etc/ssl/cert.pem',
        '--code-challenge-method=s256',
        '--tls-min-version=TLS1.1',
        '--http-address=localhost',
        '--real-client-ip-header=X-Client-IP',
        '--cookie-name=my cookie',
        '--whitelist-domain=https://app.example.com',
        '--redirect-url=app.example.com/callback',
        '--api-route=^/api/(',
      ]).map((i) => i.option),
      [
        '--tls-cert-file',
        '--http-address',
        '--tls-min-version',
        '--real-client-ip-header',
        '--cookie-name',
        '--code-challenge-method',
        '--whitelist-domain',
        '--api-route',
        '--redirect-url',
        '--tls-key-file',
      ],
    )
  })

  it('never shows secret values in issues', () => {
    const issues = issuesOf([...BASE, '--basic-auth-password=hunter2', '--signature-key=rot13:hunter2', '--cookie-secret=hunter2'])
    assert.deepEqual(issues.map((i) => i.option), ['--signature-key', '--cookie-secret'])
    assert.doesNotMatch(new ConfigError(issues).message, /hunter2/)
  })

  it('needs a certificate and key for --metrics-secure-address', () => {
    assert.deepEqual(messages([...BASE, '--metrics-secure-address=127.0.0.1:9443', '--metrics-tls-cert-file=/c.pem']), [
      '--metrics-tls-key-file: --metrics-secure-address needs --metrics-tls-cert-file and --metrics-tls-key-file',
    ])
    loads([...BASE, '--metrics-address=127.0.0.1:9100', '--metrics-secure-address=127.0.0.1:9443', '--metrics-tls-cert-file=/c.pem', '--metrics-tls-key-file=/k.pem'])
  })
})

describe('identity assertion and request signing options', () => {
  it('accepts the defaults and a full set', () => {
    loads([...BASE, '--set-identity-assertion'])
    loads([...BASE, '--set-identity-assertion', '--assertion-ttl=10m', '--assertion-signing-alg=EdDSA', '--assertion-header=X-User-Jwt', '--assertion-issuer=https://auth.example.com', '--signature-key=sha512:k'])
  })

  it('refuses a lifetime past 10 minutes or too short to arrive, a bad header name, algorithm or issuer', () => {
    assert.deepEqual(messages([...BASE, '--assertion-ttl=11m']), ['--assertion-ttl: --assertion-ttl is 660s, past the 10m an assertion may live: set it to 10m or less (default 5m)'])
    assert.match(messages([...BASE, '--assertion-ttl=2s']).join(), /must live at least 10s/)
    assert.match(messages([...BASE, '--assertion-header=X Bad']).join(), /--assertion-header: expected an HTTP header name/)
    assert.match(messages([...BASE, '--assertion-signing-alg=HS256']).join(), /--assertion-signing-alg: must be one of: ES256, EdDSA, RS256/)
    assert.match(messages([...BASE, '--assertion-issuer=auth.example.com']).join(), /--assertion-issuer: expected an absolute URL/)
  })

  it('says md4 cannot be computed here instead of failing on the first request', () => {
    assert.deepEqual(messages([...BASE, '--signature-key=md4:k']), ['--signature-key: --signature-key uses md4, which this Node.js build (OpenSSL 3) cannot compute: use sha256:<secret> and the same at the upstream'])
  })
})
