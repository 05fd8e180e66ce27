// Configuration as the compiled process applies it (dist/main.js and the bin), adding to config-cli.test.ts
// (which runs src/main.ts for --config-test, the error list, --version and --help) and src/config/*.test.ts
// (the loader in-process): flag > env > cfg file > default seen in the running server's behaviour, a refused
// start (not --config-test) that never listens, and the published bin.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createClient } from '../helpers/http.js'
import { freePort, REPO_ROOT, runGatehouse, startGatehouse, type Gatehouse } from '../helpers/process.js'

describe('configuration through the compiled process', () => {
  let dir: string
  let cfg: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-precedence-'))
    cfg = join(dir, 'oauth2-proxy.cfg')
    await writeFile(
      cfg,
      [
        'provider = "oidc"',
        `oidc_issuer_url = "http://127.0.0.1:${await freePort()}/"`,
        'client_id = "from-file"',
        'client_secret = "from-file-secret"',
        `cookie_secret = "${randomBytes(32).toString('base64url')}"`,
        'email_domains = "*"',
        '# TOML weak typing, as users write it: a string for a list.',
        'skip_auth_routes = ".*"',
        'upstreams = ["static://201"]',
        'ping_path = "/file-ping"',
        'ready_path = "/file-ready"',
        'proxy_prefix = "/file-prefix"',
        '',
      ].join('\n'),
    )
  })
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  describe('flag > env > file > default, seen in what the server answers', () => {
    let proxy: Gatehouse
    before(async () => {
      proxy = await startGatehouse({
        args: ['--config', cfg, '--ping-path=/flag-ping'],
        env: { OAUTH2_PROXY_PING_PATH: '/env-ping', OAUTH2_PROXY_READY_PATH: '/env-ready', OAUTH2_PROXY_UPSTREAMS: 'static://202' },
      })
    })
    after(async () => {
      await proxy?.stop()
    })

    it('takes each option from the strongest source that sets it', async () => {
      const client = createClient()
      const answer = async (path: string): Promise<[number, string]> => {
        const res = await client.get(`${proxy.url}${path}`)
        return [res.status, res.body.trimEnd()]
      }
      // Every path that is not an endpoint falls through to the upstream: static://202 from the env beat the file's 201.
      assert.deepEqual(await answer('/anything'), [202, 'Authenticated'])
      // ping: flag over env over file.
      assert.deepEqual(await answer('/flag-ping'), [200, 'OK'])
      assert.deepEqual(await answer('/env-ping'), [202, 'Authenticated'])
      assert.deepEqual(await answer('/file-ping'), [202, 'Authenticated'])
      assert.deepEqual(await answer('/ping'), [202, 'Authenticated'])
      // ready: env over file.
      assert.deepEqual(await answer('/env-ready'), [200, 'OK'])
      assert.deepEqual(await answer('/file-ready'), [202, 'Authenticated'])
      // proxy prefix: file over default.
      const signIn = await client.get(`${proxy.url}/file-prefix/sign_in`)
      assert.equal(signIn.status, 200)
      assert.match(signIn.body, /action="\/file-prefix\/start"/)
      assert.deepEqual(await answer('/oauth2/sign_in'), [202, 'Authenticated'])
    })
  })

  it('refuses to start on an unknown cfg key, listing every other problem too, and never listens', async () => {
    const bad = join(dir, 'bad.cfg')
    await writeFile(bad, `${readFileSync(cfg, 'utf8')}upstream = "http://127.0.0.1:8080/"\n`)
    const port = await freePort()
    const run = await runGatehouse({
      args: ['--config', bad, `--http-address=127.0.0.1:${port}`, '--flush-interval=2'],
      env: { OAUTH2_PROXY_COOKIE_REFRESH: '300' },
    })
    assert.equal(run.code, 1, run.logs)
    const lines = run.logs.trimEnd().split('\n')
    assert.equal(lines[0], 'gatehouse: invalid configuration:')
    assert.equal(lines.length, 4, run.logs)
    assert.ok(lines.some((l) => l.includes(`unknown key "upstream" in ${bad} (did you mean upstreams?)`)), run.logs)
    assert.ok(lines.some((l) => l.startsWith('  OAUTH2_PROXY_COOKIE_REFRESH="300": "300" has no unit')), run.logs)
    assert.ok(lines.some((l) => l.startsWith('  --flush-interval="2": "2" has no unit')), run.logs)
    assert.doesNotMatch(run.logs, /server\.listening/)
    assert.doesNotMatch(run.logs, /from-file-secret/)
  })

  it('--config-test exits 0 for the good file and 1 for the bad one, without starting', async () => {
    const good = await runGatehouse({ args: ['--config', cfg, '--config-test'] })
    assert.deepEqual([good.code, good.logs], [0, 'configuration is valid\n'])
    const bad = await runGatehouse({ args: ['--config', cfg, '--config-test', '--upstream-timeout=30'] })
    assert.equal(bad.code, 1)
    assert.match(bad.logs, /--upstream-timeout="30": "30" has no unit/)
  })

  it('the gatehouse bin prints the package version and help grouped by area', async () => {
    const entry = join(REPO_ROOT, 'bin/gatehouse.js')
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
    const v = await runGatehouse({ entry, args: ['--version'] })
    assert.equal(v.code, 0)
    assert.equal(v.logs, `gatehouse ${version}\n`)
    const help = await runGatehouse({ entry, args: ['--help'] })
    assert.equal(help.code, 0)
    const headings = help.logs.split('\n').filter((l) => /^\S.*:$/.test(l))
    for (const area of ['Server, TLS and probes:', 'Upstreams:', 'Cookies:', 'Provider:', 'OpenID Connect:', 'Authorization:', 'Identity headers:', 'Logging:']) {
      assert.ok(headings.includes(area), `help has no "${area}" group: ${headings.join(' | ')}`)
    }
    const section = (heading: string): string => help.logs.split(`\n${heading}\n`)[1]?.split(/\n\n/)[0] ?? ''
    assert.match(section('Upstreams:'), /^ {2}--upstream list$/m)
    assert.match(section('Cookies:'), /^ {2}--cookie-secret string$/m)
    assert.doesNotMatch(section('Cookies:'), /^ {2}--upstream /m)
  })
})
