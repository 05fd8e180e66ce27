// `npm pack` and a global install of the tarball, into a temporary prefix (never the machine's own): the package's
// files must be enough for a working `gatehouse` on the PATH, without a build (dist/ ships in the tarball; npm runs no
// `prepare` for a tarball). npm reads the local cache first. scripts/test.sh has built dist/ before this runs.
import { strict as assert } from 'node:assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freePort, REPO_ROOT, startGatehouse } from '../helpers/process.js'

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version
const NPM_ENV = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }

function npm(args: string[], cwd: string): string {
  const run = spawnSync('npm', args, { cwd, env: { ...process.env, ...NPM_ENV }, encoding: 'utf8', timeout: 240_000 })
  assert.equal(run.status, 0, `npm ${args.join(' ')}: ${run.stderr}`)
  return run.stdout
}

describe('npm pack, then npm install -g of the tarball', () => {
  let dir: string
  let prefix: string
  let env: Record<string, string>

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'))
    prefix = join(dir, 'prefix')
    // --ignore-scripts: `prepare` would rebuild dist/, which the test run has just built.
    npm(['pack', '--ignore-scripts', '--pack-destination', dir], REPO_ROOT)
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
    assert.equal(tarball, `gatehouse-${VERSION}.tgz`)
    npm(['install', '--global', '--prefix', prefix, join(dir, tarball)], dir)
    env = { PATH: `${join(prefix, 'bin')}:${process.env['PATH'] ?? ''}` }
  }, { timeout: 600_000 })
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('puts gatehouse on the PATH, from the prefix', () => {
    const which = spawnSync('sh', ['-c', 'command -v gatehouse'], { env: { ...process.env, ...env }, encoding: 'utf8' })
    assert.equal(which.stdout.trim(), join(prefix, 'bin', 'gatehouse'))
    const version = spawnSync('gatehouse', ['--version'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 })
    assert.equal(version.status, 0, version.stderr)
    assert.match(version.stdout, new RegExp(`gatehouse v?${VERSION.replaceAll('.', '\\.')}`))
  })

  it('installs no development dependency', () => {
    const modules = join(prefix, 'lib', 'node_modules', 'gatehouse', 'node_modules')
    const installed = readdirSync(modules)
    assert.ok(installed.includes('openid-client'))
    for (const dev of ['typescript', 'esbuild', 'tsx', 'oidc-provider']) assert.ok(!installed.includes(dev), dev)
  })

  it('serves: the installed command starts the proxy and answers /ping', async () => {
    const port = await freePort()
    const proxy = await startGatehouse({
      command: 'gatehouse',
      cwd: dir,
      env,
      args: ['--provider=oidc', '--oidc-issuer-url=http://127.0.0.1:9/', '--client-id=x', '--client-secret=y', `--cookie-secret=${'k'.repeat(32)}`, '--email-domain=*', '--upstream=static://200', `--http-address=127.0.0.1:${port}`],
      readyTimeoutMs: 20_000,
    })
    try {
      const ping = await fetch(`${proxy.url}/ping`)
      assert.equal(ping.status, 200)
      assert.equal(await ping.text(), 'OK')
    } finally {
      await proxy.stop()
    }
  })
})
