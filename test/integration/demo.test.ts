// `npm start` (node dist/dev/demo.js): the demo prints its URL and users, a user signs in over HTTP with the printed
// credentials and sees their identity, the IdP says it is for development only, and SIGTERM stops the demo and the
// gatehouse child it spawned. Also: the production entry point (dist/main.js, bin/gatehouse.js) can never load the
// development IdP, nor any package outside package.json's dependencies, and the bundle the build makes of it holds
// no development code or package.
import { strict as assert } from 'node:assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import ts from 'typescript'
import { request } from 'undici'
import { createClient } from '../helpers/http.js'
import { loginViaHttp } from '../helpers/login.js'
import { freePort, REPO_ROOT } from '../helpers/process.js'

interface PrintedUser {
  login: string
  password: string
  email: string
}

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('the demo (npm start)', () => {
  let demo: ChildProcess
  let out = ''
  let closed: Promise<number | null>
  let port: number
  let idpPort: number
  let child = 0

  before(async () => {
    ;[port, idpPort] = [await freePort(), await freePort()]
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OAUTH2_PROXY_') && !k.startsWith('NODE_TEST')))
    demo = spawn(process.execPath, [join(REPO_ROOT, 'dist/dev/demo.js')], {
      cwd: REPO_ROOT,
      env: { ...env, GATEHOUSE_DEMO_PORT: String(port), GATEHOUSE_DEMO_IDP_PORT: String(idpPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    demo.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
    demo.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
    closed = new Promise((resolve) => demo.once('close', (code) => resolve(code)))
    const deadline = Date.now() + 20_000
    while (!out.includes('"event":"server.listening"')) {
      if (demo.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not start:\n${out}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  })
  after(async () => {
    if (demo !== undefined && demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL')
    if (child !== 0 && alive(child)) process.kill(child, 'SIGKILL')
  })

  const printedUsers = (): PrintedUser[] =>
    [...out.matchAll(/^ {4}(\w+) +password: (\S+) +(\S+@\S+)/gm)].map((m) => ({ login: m[1] ?? '', password: m[2] ?? '', email: m[3] ?? '' }))

  it('prints the URL to open, the users with their passwords, and that the IdP is for development only', () => {
    assert.match(out, new RegExp(`Open http://127\\.0\\.0\\.1:${port}/ and sign in\\.`))
    assert.match(out, /development IdP: never use it for real users/)
    assert.deepEqual(printedUsers().map((u) => u.login), ['alice', 'bob', 'carol'])
    assert.doesNotMatch(out, /--client-secret=[^…\s]/, 'secrets are not printed')
    assert.doesNotMatch(out, /--cookie-secret=[^…\s]/, 'secrets are not printed')
  })

  it('signs a printed user in with the printed password; the landing page shows who they are', async () => {
    const user = printedUsers().find((u) => u.login === 'bob')
    assert.ok(user !== undefined, out)
    const client = createClient()
    const result = await loginViaHttp(client, `http://127.0.0.1:${port}/`, { login: user.login, password: user.password })
    assert.equal(result.status, 302, result.response.body)
    assert.equal(result.finalUrl, `http://127.0.0.1:${port}/`)
    const loginPage = result.steps.find((s) => s.url.startsWith(`http://127.0.0.1:${idpPort}/`) && /type="password"/.test(s.body))
    assert.ok(loginPage !== undefined, 'the IdP login form was shown')
    assert.match(loginPage.body, /for development and tests only, never for production/)

    const page = await client.get(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 200)
    assert.match(page.body, new RegExp(`Signed in as <strong>${user.email.replace('.', '\\.')}</strong>`))
    assert.match(page.body, /<th>X-Forwarded-Groups<\/th><td>developers<\/td>/i)
  })

  it('refuses the user the printout marks as not verified', async () => {
    const carol = printedUsers().find((u) => u.login === 'carol')
    assert.ok(carol !== undefined)
    assert.match(out, /carol .*\(email not verified: refused\)/)
    const result = await loginViaHttp(createClient(), `http://127.0.0.1:${port}/`, { login: carol.login, password: carol.password })
    assert.equal(result.status, 403, result.response.body)
  })

  it('stops on SIGTERM together with its gatehouse child, freeing both ports', async () => {
    const pid = demo.pid ?? 0
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
    assert.equal(children.length, 1, `the demo runs one child process: ${children.join(' ')}`)
    child = children[0] ?? 0
    assert.match(readFileSync(`/proc/${child}/cmdline`, 'utf8'), /dist\/main\.js/)

    demo.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const code = await Promise.race([closed, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 15_000)))])
    clearTimeout(timer)
    assert.equal(code, 0, out)
    for (let i = 0; i < 100 && alive(child); i += 1) await new Promise((r) => setTimeout(r, 50))
    assert.equal(alive(child), false, 'the gatehouse child is gone')
    assert.match(out, /"event":"server.stopped"/)
    for (const p of [port, idpPort]) await assert.rejects(request(`http://127.0.0.1:${p}/`), /ECONNREFUSED/)
  })
})

describe('the production entry point and the development code', () => {
  /** Every file reached from `entry` through relative static or dynamic imports, and every bare import seen. */
  function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
    const files = new Set<string>()
    const packages = new Set<string>()
    const pending = [entry]
    while (pending.length > 0) {
      const file = pending.pop() as string
      if (files.has(file)) continue
      files.add(file)
      const text = readFileSync(file, 'utf8')
      // TypeScript's own scanner: static imports, re-exports and import() calls, never comments or strings.
      for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec)
          assert.ok(existsSync(target), `${relative(REPO_ROOT, file)} imports missing ${spec}`)
          pending.push(target)
        } else {
          packages.add(spec)
        }
      }
    }
    return { files, packages }
  }

  it('dist/main.js and bin/gatehouse.js never import dist/dev/, oidc-provider or a dev dependency', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    type Locked = { dev?: boolean; peerDependenciesMeta?: Record<string, { optional?: boolean }> }
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Locked> }
    // A bundled package may try an optional peer it does without (@redis/client's @node-rs/xxhash for DIGEST).
    const optionalPeers = new Set(Object.values(lock.packages).flatMap((p) => Object.entries(p.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional === true).map(([n]) => n)))
    const builtins = new Set(builtinModules)
    for (const entry of ['dist/main.js', 'bin/gatehouse.js']) {
      const { files, packages } = importGraph(join(REPO_ROOT, entry))
      assert.ok([...files].some((f) => /dist\/main-app-\w+\.js$/.test(f)), `${entry}: the graph was walked into the bundle's chunks (${files.size} files)`)
      const dev = [...files].filter((f) => relative(REPO_ROOT, f).startsWith('dist/dev/'))
      assert.deepEqual(dev, [], `${entry} reaches development code`)
      for (const spec of packages) {
        if (spec.startsWith('node:') || builtins.has(spec)) continue
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec)
        assert.ok(name in pkg.dependencies || optionalPeers.has(name), `${entry} imports ${spec}, which is not a runtime dependency`)
      }
    }
    // What the build bundled into dist/main.js and its chunks: our production modules and runtime packages only
    // (package-lock marks a package needed only for development with "dev": true).
    const { inputs } = JSON.parse(readFileSync(join(REPO_ROOT, 'dist/main.meta.json'), 'utf8')) as { inputs: string[] }
    assert.ok(inputs.includes('dist/app.js') && inputs.some((i) => i.startsWith('node_modules/undici/')), `the bundle's inputs were read (${inputs.length})`)
    assert.deepEqual(inputs.filter((i) => i.startsWith('dist/dev/')), [], 'the bundle holds development code')
    const bundledPackages = new Set(inputs.flatMap((i) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1] ?? []))
    for (const path of bundledPackages) {
      assert.ok(lock.packages[path] !== undefined, `${path} is bundled but not in package-lock.json`)
      assert.notEqual(lock.packages[path]?.dev, true, `${path} is bundled but is a development dependency`)
    }
    // The check can fail: the demo's own graph does reach the development IdP.
    const demoGraph = importGraph(join(REPO_ROOT, 'dist/dev/demo.js'))
    assert.ok([...demoGraph.files].some((f) => f.endsWith('dist/dev/idp.js')))
    assert.ok(demoGraph.packages.has('oidc-provider'))
  })
})
