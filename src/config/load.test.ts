import { strict as assert } from 'node:assert'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ConfigError, type ConfigIssue } from '../errors.js'
import { loadConfig } from './load.js'

const SECRET = 'WPhMdy4iqkV_8WqZqrAaASi6jPuDlBgZp2Hfm_JAZnE='
const BASE = ['--provider=oidc', '--oidc-issuer-url=https://idp.example.com', '--client-id=app', '--client-secret=s3cret', `--cookie-secret=${SECRET}`, '--email-domain=example.com']
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'))
let files = 0

function file(content: string, ext = 'cfg'): string {
  const path = join(dir, `f${files++}.${ext}`)
  writeFileSync(path, content)
  return path
}

function load(argv: string[], env: Record<string, string> = {}) {
  const r = loadConfig({ argv, env })
  assert.equal(r.kind, 'config')
  return r as Extract<typeof r, { kind: 'config' }>
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

describe('loadConfig sources', () => {
  it('fills oauth2-proxy defaults', () => {
    const { config, warnings, configTest } = load(BASE)
    assert.equal(config.httpAddress, '127.0.0.1:4180')
    assert.equal(config.cookieName, '_oauth2_proxy')
    assert.equal(config.cookieExpire, 604_800_000)
    assert.equal(config.cookieCsrfExpire, 900_000)
    assert.equal(config.upstreamTimeout, 30_000)
    assert.equal(config.cookieSecure, true)
    assert.equal(config.insecureOidcSkipNonce, true)
    assert.equal(config.approvalPrompt, 'force')
    assert.deepEqual(config.oidcAudienceClaims, ['aud'])
    assert.deepEqual(config.upstreams, [])
    assert.deepEqual(warnings, [])
    assert.equal(configTest, false)
  })

  it('takes flag over env over file over default', () => {
    const cfg = file('cookie_name = "from_file"\ncookie_path = "/file"\nbanner = "file"\n')
    const env = { OAUTH2_PROXY_COOKIE_NAME: 'from_env', OAUTH2_PROXY_COOKIE_PATH: '/env' }
    const { config } = load([...BASE, '--config', cfg, '--cookie-name=from_flag'], env)
    assert.equal(config.cookieName, 'from_flag')
    assert.equal(config.cookiePath, '/env')
    assert.equal(config.banner, 'file')
    assert.equal(config.footer, '')
  })

  it('lets flag lists replace env lists, which replace file lists', () => {
    const cfg = file('upstreams = ["http://file:1/"]\nwhitelist_domains = ["file.example"]\ntrusted_ips = ["10.0.0.1"]\n')
    const env = { OAUTH2_PROXY_UPSTREAMS: 'http://env:1/,http://env:2/x/', OAUTH2_PROXY_WHITELIST_DOMAINS: '.env.example' }
    const { config } = load([...BASE, `--config=${cfg}`, '--upstream=http://flag:1/'], env)
    assert.deepEqual(config.upstreams, ['http://flag:1/'])
    assert.deepEqual(config.whitelistDomains, ['.env.example'])
    assert.deepEqual(config.trustedIps, ['10.0.0.1'])
  })

  it('reads --flag value and --flag=value alike, even a value starting with "-"', () => {
    const spaced = load([...BASE, '--cookie-name', 'sid', '--banner', '-', '--cookie-expire', '12h']).config
    const joined = load([...BASE, '--cookie-name=sid', '--banner=-', '--cookie-expire=12h']).config
    assert.deepEqual(spaced, joined)
    assert.equal(spaced.banner, '-')
    assert.equal(spaced.cookieExpire, 43_200_000)
  })

  it('reads bool flags bare or with =value, never from the next argument', () => {
    const c = load([...BASE, '--skip-provider-button', '--cookie-secure=false', '--cookie-httponly=0', '--reverse-proxy=T', '--pass-host-header=False']).config
    assert.equal(c.skipProviderButton, true)
    assert.equal(c.cookieSecure, false)
    assert.equal(c.cookieHttponly, false)
    assert.equal(c.reverseProxy, true)
    assert.equal(c.passHostHeader, false)
    assert.deepEqual(issuesOf([...BASE, '--cookie-secure=yes', '--cookie-httponly', 'false']), [
      {
        option: '--cookie-httponly',
        value: 'false',
        message: 'a bool flag takes its value after "=": write --cookie-httponly=false (oauth2-proxy would ignore "false" and set it to true)',
      },
      { option: '--cookie-secure', value: 'yes', message: 'expected true or false (also 1/0, t/f)' },
    ])
  })

  it('ignores words that are not flags, as pflag does, with a warning naming each', () => {
    // The Keycloak write-up's `bash -c '... --scope=openid profile email groups'`.
    const { config, warnings } = load(['--http-address=0.0.0.0:4180', '--cookie-secure=false', '--scope=openid', 'profile', 'email', 'groups', ...BASE])
    assert.equal(config.scope, 'openid')
    assert.equal(config.cookieSecure, false)
    assert.deepEqual(warnings, [
      'command line: arguments "profile", "email", "groups" after --scope="openid" ignored, as oauth2-proxy does: only flags are read; ' +
        '--scope got only its first word "openid": to pass them all, write --scope="openid profile email groups"',
    ])
    const spaced = load(['stray', ...BASE.slice(0, -1), '--email-domain', 'a.com', 'b.com', '--banner', 'Hi', 'there', '--skip-provider-button', 'x', '--', '--not-a-flag'])
    assert.deepEqual(spaced.config.emailDomains, ['a.com'])
    assert.equal(spaced.config.banner, 'Hi')
    assert.equal(spaced.config.skipProviderButton, true)
    assert.deepEqual(spaced.warnings, [
      'command line: argument "stray" ignored, as oauth2-proxy does: only flags are read',
      'command line: argument "b.com" after --email-domain="a.com" ignored, as oauth2-proxy does: only flags are read; ' +
        '--email-domain got only its first word "a.com": to pass them all, write --email-domain=a.com,b.com',
      'command line: argument "there" after --banner="Hi" ignored, as oauth2-proxy does: only flags are read',
      'command line: argument "x" ignored, as oauth2-proxy does: only flags are read',
      'command line: argument "--not-a-flag" after "--" ignored, as oauth2-proxy does: only flags are read',
    ])
  })

  it('never shows a word that follows a secret', () => {
    const { config, warnings } = load([...BASE, '--client-secret', 'part-one', 'part-two'])
    assert.equal(config.clientSecret, 'part-one')
    assert.deepEqual(warnings, ['command line: 1 argument after --client-secret ignored, as oauth2-proxy does (not shown: the option holds a secret; quote its value if it has spaces)'])
    assert.doesNotMatch(warnings.join('\n'), /part-two/)
  })

  it('adds up repeated and comma-separated list flags', () => {
    const c = load([...BASE.slice(0, -1), '--email-domain=a.com,b.com', '--email-domain', 'c.com', '--skip-auth-route="GET=^/v{1,2}/"']).config
    assert.deepEqual(c.emailDomains, ['a.com', 'b.com', 'c.com'])
    assert.deepEqual(c.skipAuthRoutes, ['GET=^/v{1,2}/'])
  })

  it('reads OAUTH2_PROXY_<CFG_KEY> variables: comma lists, Go bools, empty as unset', () => {
    const env = {
      OAUTH2_PROXY_PROVIDER: 'oidc',
      OAUTH2_PROXY_OIDC_ISSUER_URL: 'https://idp.example.com',
      OAUTH2_PROXY_CLIENT_ID: 'app',
      OAUTH2_PROXY_CLIENT_SECRET: 's3cret',
      OAUTH2_PROXY_COOKIE_SECRET: SECRET,
      OAUTH2_PROXY_EMAIL_DOMAINS: 'a.com,b.com',
      OAUTH2_PROXY_COOKIE_SECURE: 'False',
      OAUTH2_PROXY_COOKIE_REFRESH: '1h',
      OAUTH2_PROXY_COOKIE_NAME: '',
      OAUTH2_PROXY_UPSTREAM: 'http://x/',
      GATEHOUSE_UNRELATED: 'x',
    }
    const { config, warnings } = load([], env)
    assert.deepEqual(config.emailDomains, ['a.com', 'b.com'])
    assert.equal(config.cookieSecure, false)
    assert.equal(config.cookieRefresh, 3_600_000)
    assert.equal(config.cookieName, '_oauth2_proxy')
    assert.deepEqual(config.upstreams, [])
    assert.deepEqual(warnings, ['OAUTH2_PROXY_UPSTREAM is not an oauth2-proxy option and is ignored (did you mean OAUTH2_PROXY_UPSTREAMS?)'])
  })

  it('applies TOML weak typing in the cfg file', () => {
    const cfg = file(
      [
        'cookie_secure = "false"',
        'upstreams = "http://127.0.0.1:8080/"',
        'cookie_csrf_per_request_limit = "3"',
        'client_id = 12345',
        'pass_access_token = 1',
        'cookie_expire = "1h30m"',
        'cookie_refresh = 0',
      ].join('\n'),
    )
    const c = load([...BASE.filter((a) => !a.startsWith('--client-id')), '--config', cfg]).config
    assert.equal(c.cookieSecure, false)
    assert.deepEqual(c.upstreams, ['http://127.0.0.1:8080/'])
    assert.equal(c.cookieCsrfPerRequestLimit, 3)
    assert.equal(c.clientId, '12345')
    assert.equal(c.passAccessToken, true)
    assert.equal(c.cookieExpire, 5_400_000)
    assert.equal(c.cookieRefresh, 0)
  })

  it('refuses unknown flags, unknown cfg keys and broken TOML, with hints', () => {
    const cfg = file('cookie-secret = "x"\nupstream = "http://a"\nemail_domain = ["x"]\n')
    const issues = issuesOf([...BASE, `--config=${cfg}`, '--upstreams=http://x/', '--cookie-secert', 'abc'])
    assert.deepEqual(issues, [
      { option: '--upstreams', message: 'unknown flag (did you mean --upstream?)' },
      { option: '--cookie-secert', message: 'unknown flag (did you mean --cookie-secret?)' },
      { option: '--config', message: `unknown key "cookie-secret" in ${cfg} (did you mean cookie_secret?)` },
      { option: '--config', message: `unknown key "upstream" in ${cfg} (did you mean upstreams?)` },
      { option: '--config', message: `unknown key "email_domain" in ${cfg} (did you mean email_domains?)` },
    ])
    const broken = file('cookie_name = "unterminated\n')
    const [toml] = issuesOf([...BASE, '--config', broken])
    assert.equal(toml?.option, '--config')
    assert.match(toml?.message ?? '', /^not valid TOML at line 1, column \d+/)
    assert.match(issuesOf([...BASE, '--config', join(dir, 'missing.cfg')])[0]?.message ?? '', /cannot read the config file: no such file/)
  })

  it('names the source of a bad value as the user wrote it', () => {
    const cfg = file('cookie_refresh = 300\n')
    const issues = issuesOf([...BASE, '--config', cfg, '--flush-interval=2'], { OAUTH2_PROXY_UPSTREAM_TIMEOUT: '30' })
    assert.deepEqual(issues, [
      { option: `cfg key "cookie_refresh" in ${cfg}`, value: '300', message: '"300" has no unit: write 300s or 5m (units: ns, us, ms, s, m, h)' },
      { option: 'OAUTH2_PROXY_UPSTREAM_TIMEOUT', value: '30', message: '"30" has no unit: write 30s or 30ms (units: ns, us, ms, s, m, h)' },
      { option: '--flush-interval', value: '2', message: '"2" has no unit: write 2s or 2ms (units: ns, us, ms, s, m, h)' },
    ])
  })

  it('reads secret files verbatim and prefers the secret itself', () => {
    const hexSecret = 'c0ffee00112233445566778899aabbcc'
    const cookieFile = file(`${hexSecret}\n`, 'txt')
    const clientFile = file('client-secret-with-newline\n', 'txt')
    const noSecrets = BASE.filter((a) => !a.startsWith('--cookie-secret') && !a.startsWith('--client-secret'))
    const { config, warnings } = load([...noSecrets, `--cookie-secret-file=${cookieFile}`, `--client-secret-file=${clientFile}`])
    assert.equal(config.cookieSecret, `${hexSecret}\n`)
    assert.equal(config.clientSecret, 'client-secret-with-newline\n')
    assert.deepEqual(warnings, [`--client-secret-file: ${clientFile} ends with a line break, which is sent as part of the client secret`])
    assert.equal(load([...BASE, `--cookie-secret-file=${file('other', 'txt')}`]).config.cookieSecret, SECRET)

    const missing = join(dir, 'nope.txt')
    const issues = issuesOf([...noSecrets, '--client-secret=x', `--cookie-secret-file=${missing}`], { OAUTH2_PROXY_CLIENT_SECRET_FILE: file('', 'txt') })
    assert.deepEqual(issues, [{ option: '--cookie-secret-file', value: missing, message: 'cannot read the cookie secret file: no such file' }])
    const empty = file('', 'txt')
    assert.deepEqual(issuesOf([...noSecrets, '--client-secret=x', `--cookie-secret-file=${empty}`]), [
      { option: '--cookie-secret-file', value: empty, message: 'the cookie secret file is empty' },
    ])
  })

  it('explains a padded secret file spoilt by its trailing newline', () => {
    const padded = file(`${SECRET}\n`, 'txt')
    assert.deepEqual(issuesOf([...BASE.filter((a) => !a.startsWith('--cookie-secret')), `--cookie-secret-file=${padded}`]), [
      {
        option: '--cookie-secret-file',
        value: padded,
        message: "the file ends with a line break, which is read as part of the cookie secret and makes it invalid: write it without one (printf '%s' \"$SECRET\" > FILE)",
      },
    ])
  })

  it('checks the files supported options read at start', () => {
    const missing = join(dir, 'absent.pem')
    const issues = issuesOf([...BASE, `--provider-ca-file=${file('pem', 'pem')}`, `--provider-ca-file=${missing}`, `--authenticated-emails-file=${missing}`])
    assert.deepEqual(issues, [
      { option: '--authenticated-emails-file', value: missing, message: 'cannot read the file: no such file' },
      { option: '--provider-ca-file', value: missing, message: 'cannot read the file: no such file' },
    ])
  })

  it('answers --help, -h and --version before looking at anything else', () => {
    for (const argv of [['--help'], ['-h'], ['--bogus', '--help']]) {
      const r = loadConfig({ argv, env: {} })
      assert.equal(r.kind, 'help')
      assert.match(r.kind === 'help' ? r.text : '', /^Usage: gatehouse/)
    }
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
    assert.deepEqual(loadConfig({ argv: ['--version'], env: {} }), { kind: 'version', text: `gatehouse ${version}` })
    assert.equal(load([...BASE, '--version=false']).kind, 'config')
  })

  it('reports --config-test', () => {
    assert.equal(load([...BASE, '--config-test']).configTest, true)
  })

  it('returns a deep-frozen config', () => {
    const { config } = load([...BASE, '--upstream=http://a/'])
    assert.ok(Object.isFrozen(config))
    assert.ok(Object.isFrozen(config.upstreams))
    assert.throws(() => {
      ;(config as { cookieName: string }).cookieName = 'x'
    }, TypeError)
    assert.throws(() => (config.upstreams as string[]).push('http://b/'), TypeError)
  })

  it('folds deprecated options into their replacements with one warning each', () => {
    const cfg = file('skip_auth_regex = ["^/metrics$"]\n')
    const { config, warnings } = load([...BASE, '--config', cfg, '--skip-auth-route=GET=^/public', '--force-code-challenge-method=S256'])
    assert.equal(config.codeChallengeMethod, 'S256')
    assert.deepEqual(config.skipAuthRoutes, ['GET=^/public', '^/metrics$'])
    assert.deepEqual(warnings, [
      '--force-code-challenge-method is deprecated; use --code-challenge-method (code_challenge_method, OAUTH2_PROXY_CODE_CHALLENGE_METHOD)',
      `cfg key "skip_auth_regex" in ${cfg} is deprecated; use --skip-auth-route (skip_auth_routes, OAUTH2_PROXY_SKIP_AUTH_ROUTES)`,
    ])
    const withEquals = load([...BASE, '--skip-auth-regex=^/q\\?a=b', '--skip-auth-regex=^/x']).config
    assert.deepEqual(withEquals.skipAuthRoutes, ['=^/q\\?a=b', '^/x'])
    assert.equal(load([...BASE, '--code-challenge-method=plain', '--force-code-challenge-method=S256']).config.codeChallengeMethod, 'plain')
  })

  it('reads the legacy google_group key into google_groups', () => {
    assert.deepEqual(load(BASE, { OAUTH2_PROXY_GOOGLE_GROUP: 'admins@example.com' }).config.googleGroups, ['admins@example.com'])
  })
})
