import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ConfigError } from '../errors.js'
import { loadConfig } from './load.js'

const SECRET = 'WPhMdy4iqkV_8WqZqrAaASi6jPuDlBgZp2Hfm_JAZnE='
const GITHUB = ['--provider=github', '--client-id=app', '--client-secret=s3cret', `--cookie-secret=${SECRET}`, '--email-domain=*']

function problems(argv: string[]): string[] {
  try {
    loadConfig({ argv, env: {} })
    return []
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return err.issues.map((i) => `${i.option}: ${i.message}`)
  }
}

describe('plain OAuth2 provider start-up checks', () => {
  it('github needs no issuer URL and accepts its restriction flags', () => {
    assert.deepEqual(problems([...GITHUB, '--github-org=acme', '--github-team=core,docs', '--github-repo=acme/wiki', '--github-token=t', '--github-user=octocat']), [])
    assert.deepEqual(problems([...GITHUB, '--github-team=acme:core, other:docs']), [])
  })

  it('refuses a --github-team without its organization, naming option, value and fix', () => {
    const found = problems([...GITHUB, '--github-team=acme:core,docs'])
    assert.equal(found.length, 1)
    assert.match(found[0] ?? '', /--github-team.*docs.*set --github-org, or write each team as org:team-slug/)
  })

  it('refuses a --github-repo that is not owner/repository', () => {
    assert.match(problems([...GITHUB, '--github-repo=wiki']).join('\n'), /--github-repo must be owner\/repository/)
  })

  it('keycloak (legacy) needs the realm URLs instead of oauth2-proxy\'s keycloak.org placeholders', () => {
    const keycloak = GITHUB.map((a) => (a === '--provider=github' ? '--provider=keycloak' : a))
    assert.deepEqual(problems(keycloak).map((p) => p.split(':')[0]), ['--login-url', '--redeem-url', '--validate-url'])
    assert.match(problems(keycloak).join('\n'), /realms\/<realm>\/protocol\/openid-connect\/userinfo/)
    const realm = 'https://sso.example.org/realms/demo/protocol/openid-connect'
    assert.deepEqual(problems([...keycloak, `--login-url=${realm}/auth`, `--redeem-url=${realm}/token`, `--validate-url=${realm}/userinfo`, '--keycloak-group=staff']), [])
  })

  it('nextcloud needs its instance URLs (oauth2-proxy has no defaults for it)', () => {
    const nextcloud = GITHUB.map((a) => (a === '--provider=github' ? '--provider=nextcloud' : a))
    assert.deepEqual(problems(nextcloud).map((p) => p.split(':')[0]), ['--login-url', '--redeem-url', '--validate-url'])
    const base = 'https://cloud.example.org'
    assert.deepEqual(problems([...nextcloud, `--login-url=${base}/apps/oauth2/authorize`, `--redeem-url=${base}/apps/oauth2/api/v1/token`, `--validate-url=${base}/ocs/v2.php/cloud/user?format=json`]), [])
  })

  it('digitalocean, facebook, linkedin and sourcehut start with their default URLs', () => {
    for (const provider of ['digitalocean', 'facebook', 'linkedin', 'sourcehut']) {
      assert.deepEqual(problems(GITHUB.map((a) => (a === '--provider=github' ? `--provider=${provider}` : a))), [], provider)
    }
  })
})
