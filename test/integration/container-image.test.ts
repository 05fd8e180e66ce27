// The Dockerfile without a container engine (none runs on these machines): parsed, its steps replayed into a
// temporary directory (test/helpers/dockerfile.ts; npm reads the local cache first), and the result started as the
// image would start it: its ENTRYPOINT found on its PATH, its WORKDIR, its ENV, then the environment of the Crossid
// write-up's `docker run --env-file crossid.env`. A user signs in through it, and the image's HEALTHCHECK passes.
import { strict as assert } from 'node:assert'
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { spawnSync } from 'node:child_process'
import { startEchoApp, type EchoApp, type EchoReply } from '../../src/dev/echo-app.js'
import { startDevIdp, type DevIdp } from '../../src/dev/idp.js'
import { CROSSID_ENV, crossidTestFlags, readEnvFile, type Endpoints } from '../helpers/crossid-example.js'
import { readDockerfile, replayBuild, type BuiltStage, type Instruction, type Stage } from '../helpers/dockerfile.js'
import { createClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, REPO_ROOT, startGatehouse, type Gatehouse } from '../helpers/process.js'

const stages = readDockerfile(REPO_ROOT)
const runtime = stages.at(-1) as Stage

function only(keyword: string): Instruction {
  const found = runtime.instructions.filter((i) => i.keyword === keyword)
  assert.equal(found.length, 1, `one ${keyword} in the runtime stage`)
  return found[0] as Instruction
}

describe('Dockerfile', () => {
  it('builds in one stage and runs production dependencies only in another', () => {
    assert.ok(stages.length >= 2, 'multi-stage')
    const runs = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.text)
    assert.ok(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'npm ci --omit=dev in the runtime stage')
    // `prepare` builds with development dependencies, which --omit=dev leaves out.
    assert.ok(runs.filter((r) => /\bnpm ci\b/.test(r)).every((r) => r.includes('--ignore-scripts')))
    assert.ok(runtime.instructions.some((i) => i.keyword === 'COPY' && i.flags['from'] !== undefined && i.text.includes('dist')), 'dist/ from the build stage')
  })

  it('runs as a numeric non-root user, exposes 4180, checks /ping and enters at gatehouse', () => {
    const [uid, gid] = only('USER').text.split(':')
    assert.match(uid ?? '', /^\d+$/, 'numeric, so Kubernetes runAsNonRoot can check it')
    assert.notEqual(Number(uid), 0)
    assert.notEqual(Number(gid ?? uid), 0)
    assert.equal(only('EXPOSE').text, '4180')
    assert.ok(only('HEALTHCHECK').exec !== undefined)
    assert.deepEqual(only('ENTRYPOINT').exec, ['gatehouse'])
    assert.equal(runtime.instructions.find((i) => i.keyword === 'CMD'), undefined, 'arguments after the image name are gatehouse flags')
  })
})

describe('the image, built without a container engine', () => {
  let dir: string
  let image: BuiltStage
  let idp: DevIdp
  let echo: EchoApp
  let proxy: Gatehouse | undefined
  let containerEnv: Record<string, string>

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-image-'))
    ;[idp, echo] = await Promise.all([startDevIdp({ issuerPath: '/oauth2' }), startEchoApp()])
    image = await replayBuild(stages, {
      context: REPO_ROOT,
      into: dir,
      runEnv: { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
      runTimeoutMs: 300_000,
    })
  }, { timeout: 900_000 })
  after(async () => {
    await Promise.allSettled([proxy?.stop(), idp?.close(), echo?.close()])
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  /** The ENTRYPOINT resolved on the image's PATH, which must find the image's own command, not the machine's. */
  function entrypoint(): string {
    const name = only('ENTRYPOINT').exec?.[0] ?? ''
    for (const folder of image.path.split(':')) {
      const candidate = join(folder, name)
      try {
        accessSync(candidate, constants.X_OK)
      } catch {
        continue
      }
      assert.ok(candidate.startsWith(image.root), `${name} on the image PATH is the image's own (${candidate})`)
      return candidate
    }
    throw new Error(`${name} is not on the image's PATH`)
  }

  it('holds the bundle and production dependencies, no compiler or test tools', () => {
    const app = image.workdir
    assert.ok(existsSync(join(app, 'dist/main.js')))
    assert.ok(existsSync(join(app, 'node_modules/openid-client')))
    for (const dev of ['typescript', 'esbuild', 'tsx', 'oidc-provider', 'playwright-core']) assert.ok(!existsSync(join(app, 'node_modules', dev)), dev)
  })

  it('starts with the Crossid docker run environment, signs a user in, and passes its health check', async () => {
    const port = await freePort()
    const endpoints = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Endpoints
    // docker run --env-file crossid.env -e OAUTH2_PROXY_HTTP_ADDRESS=... <image> <flags>: the image's ENV, then the run's.
    containerEnv = { ...image.env, PATH: image.path, ...readEnvFile(CROSSID_ENV), OAUTH2_PROXY_HTTP_ADDRESS: `127.0.0.1:${port}` }
    proxy = await startGatehouse({
      command: entrypoint(),
      cwd: image.workdir,
      env: containerEnv,
      args: crossidTestFlags(idp.issuer, endpoints, `http://127.0.0.1:${port}`, echo.url),
      readyTimeoutMs: 20_000,
    })
    const client = createClient()
    const result = await loginViaHttp(client, `${proxy.url}/reports`, { login: 'bob', password: 'bob-password' })
    assert.equal(result.status, 302, result.response.body)
    const seen = (await client.get(`${proxy.url}/reports`)).json<EchoReply>()
    assert.equal(seen.headers['x-forwarded-email'], 'bob@example.com')

    assert.equal(healthCheck(), 0, 'healthy while it serves')
    await proxy.stop()
    assert.equal(healthCheck(), 1, 'unhealthy once stopped')
  })

  /** Runs the HEALTHCHECK command (exec form) with the container's environment; absolute image paths mapped. */
  function healthCheck(): number | null {
    const [file, ...args] = (only('HEALTHCHECK').exec ?? []).map((a) => (a.startsWith('/') && existsSync(image.host(a)) ? image.host(a) : a))
    const run = spawnSync(file ?? '', args, { cwd: image.workdir, env: containerEnv, timeout: 15_000 })
    return run.status
  }
})
