import { strict as assert } from 'node:assert'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ConfigError } from '../errors.js'
import { loadConfig } from './load.js'

const SECRET = 'WPhMdy4iqkV_8WqZqrAaASi6jPuDlBgZp2Hfm_JAZnE='
const GOOGLE = ['--client-id=app', '--client-secret=s3cret', `--cookie-secret=${SECRET}`, '--email-domain=example.com']

function messages(argv: string[]): string[] {
  try {
    loadConfig({ argv, env: {} })
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return err.issues.map((i) => `${i.option}: ${i.message}`)
  }
  return []
}

function keyFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-sa-')), 'sa.json')
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

describe('google provider options', () => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const good = keyFile({ type: 'service_account', client_email: 'proxy@p.iam.gserviceaccount.com', private_key: pem, token_uri: 'https://oauth2.googleapis.com/token' })

  it('is the default provider and needs nothing beyond the client', () => {
    assert.deepEqual(messages(GOOGLE), [])
    assert.equal((loadConfig({ argv: GOOGLE, env: {} }) as { config: { provider: string } }).config.provider, 'google')
  })

  it('needs the admin email and a service-account key for the Admin SDK options', () => {
    assert.deepEqual(messages([...GOOGLE, '--google-group=staff@example.com']), [
      '--google-admin-email: the Admin SDK needs --google-admin-email: a Google Workspace administrator the service account acts as',
      '--google-service-account-json: --google-group, --google-admin-email and --google-use-organization-id need --google-service-account-json (the JSON key of a service account with domain-wide delegation) or --google-use-application-default-credentials',
    ])
    assert.deepEqual(messages([...GOOGLE, '--google-admin-email=admin@example.com', `--google-service-account-json=${good}`]), [])
  })

  it('refuses unreadable and malformed key files, naming the problem', () => {
    const admin = '--google-admin-email=admin@example.com'
    assert.match(messages([...GOOGLE, admin, '--google-service-account-json=/nonexistent/sa.json']).join(), /cannot be read \(ENOENT\)/)
    assert.match(messages([...GOOGLE, admin, `--google-service-account-json=${keyFile('{nope')}`]).join(), /is not JSON/)
    assert.match(messages([...GOOGLE, admin, `--google-service-account-json=${keyFile({ type: 'authorized_user' })}`]).join(), /expected "service_account"/)
    assert.match(messages([...GOOGLE, admin, `--google-service-account-json=${keyFile({ type: 'service_account', client_email: 'a@b', private_key: 'x' })}`]).join(), /not a PEM private key/)
  })

  it('takes Application Default Credentials instead of a key file, never both; a target principal needs them', () => {
    const adc = '--google-use-application-default-credentials'
    assert.deepEqual(messages([...GOOGLE, adc, '--google-admin-email=admin@example.com', '--google-target-principal=sa@p.iam.gserviceaccount.com']), [])
    assert.deepEqual(messages([...GOOGLE, adc]), ['--google-admin-email: the Admin SDK needs --google-admin-email: a Google Workspace administrator the service account acts as'])
    assert.match(messages([...GOOGLE, adc, '--google-admin-email=admin@example.com', `--google-service-account-json=${good}`]).join(), /can't use both --google-service-account-json and --google-use-application-default-credentials/)
    assert.match(messages([...GOOGLE, '--google-admin-email=admin@example.com', `--google-service-account-json=${good}`, '--google-target-principal=sa@p.iam.gserviceaccount.com']).join(), /only used with --google-use-application-default-credentials/)
  })
})

describe('gitlab provider options', () => {
  const GITLAB = ['--provider=gitlab', '--oidc-issuer-url=https://gitlab.example.com', ...GOOGLE]

  it('accepts group/project with an optional access level of 10, 20, 30 or 40', () => {
    assert.deepEqual(messages([...GITLAB, '--gitlab-project=acme/api', '--gitlab-project=acme/sub/web=40', '--gitlab-group=acme']), [])
  })

  it('refuses other access levels and empty names, naming the value', () => {
    assert.deepEqual(messages([...GITLAB, '--gitlab-project=acme/api=50', '--gitlab-project==20']), [
      '--gitlab-project: "acme/api=50" has access level "50": use 10 (guest), 20 (reporter, the default), 30 (developer) or 40 (maintainer)',
      '--gitlab-project: "=20" names no project: write group/project or group/project=level',
    ])
  })

  it('refuses --allowed-group, which oauth2-proxy would silently drop for gitlab', () => {
    assert.match(messages([...GITLAB, '--allowed-group=acme']).join(), /^--allowed-group: the gitlab provider replaces --allowed-group with --gitlab-group/)
  })

  it('needs the GitLab instance as issuer URL', () => {
    assert.match(messages(['--provider=gitlab', ...GOOGLE]).join(), /provider "gitlab" needs --oidc-issuer-url/)
  })
})
