// The configuration as the process sees it: gatehouse's entry point run with oauth2-proxy style
// arguments and environment, checking exit codes and what reaches stdout and stderr.
import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FIXTURES = `${ROOT}test/fixtures/configs/`

interface Run {
  code: number
  stdout: string
  stderr: string
}

function gatehouse(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OAUTH2_PROXY_')))
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { ...inherited, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

describe('gatehouse command line configuration', () => {
  it('--config-test accepts a valid oauth2-proxy cfg file', async () => {
    const r = await gatehouse(['--config', `${FIXTURES}pocket-id.cfg`, '--config-test'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'configuration is valid\n')
  })

  it('lists every problem on stderr and exits 1', async () => {
    const r = await gatehouse(['--config', `${FIXTURES}entra-id-grafana.cfg`, '--cookie-refresh=300', '--config-test'], { OAUTH2_PROXY_FORCE_HTTPS: 'maybe' })
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    const lines = r.stderr.trimEnd().split('\n')
    assert.equal(lines[0], 'gatehouse: invalid configuration:')
    const starts = [
      'OAUTH2_PROXY_FORCE_HTTPS="maybe": expected true or false',
      '--cookie-refresh="300": "300" has no unit',
    ]
    assert.equal(lines.length, starts.length + 1, r.stderr)
    starts.forEach((start, i) => assert.ok(lines[i + 1]?.startsWith(`  ${start}`), lines[i + 1]))
    assert.doesNotMatch(r.stderr, /Xq58Q|ApOxlZ/)
  })

  it('starts with the Keycloak write-up\'s unquoted --scope, warning about each ignored word', async () => {
    // bash -c '... oauth2-proxy --http-address=0.0.0.0:4180 --cookie-secure=false --scope=openid profile email groups'
    const r = await gatehouse(['--config', `${FIXTURES}pocket-id.cfg`, '--http-address=0.0.0.0:4180', '--cookie-secure=false', '--scope=openid', 'profile', 'email', 'groups', '--config-test'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'configuration is valid\n')
    assert.match(r.stderr, /^gatehouse: warning: command line: arguments "profile", "email", "groups" after --scope="openid" ignored/m)
    assert.match(r.stderr, /--scope got only its first word "openid": to pass them all, write --scope="openid profile email groups"/)
  })

  it('prints the version and the help', async () => {
    const version = await gatehouse(['--version'])
    assert.equal(version.code, 0)
    assert.match(version.stdout, /^gatehouse \d+\.\d+\.\d+/)
    const help = await gatehouse(['--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /^Usage: gatehouse/)
    assert.match(help.stdout, /  --signature-key string\n/)
    assert.doesNotMatch(help.stdout, /not supported yet/, "every oauth2-proxy option is implemented")
  })
})
