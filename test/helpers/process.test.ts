// startGatehouse / runGatehouse against a stand-in entry script (dist/main.js is built separately):
// port choice, readiness, logs, environment hygiene, stop, and the failure paths.
import { strict as assert } from 'node:assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { freePort, runGatehouse, startGatehouse } from './process.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-process-test-'))
const entry = join(dir, 'fake-main.mjs')
writeFileSync(
  entry,
  `import http from 'node:http'
const address = process.argv.find((a) => a.startsWith('--http-address=')).slice('--http-address='.length)
const ping = (process.argv.find((a) => a.startsWith('--ping-path=')) ?? '--ping-path=/ping').slice('--ping-path='.length)
const [host, port] = address.split(':')
const mode = process.env.FAKE_MODE ?? 'serve'
console.log('leaked=' + (process.env.OAUTH2_PROXY_LEAKED ?? 'none') + ' passed=' + (process.env.OAUTH2_PROXY_PASSED ?? 'none'))
if (mode === 'crash') { console.error('invalid configuration: boom'); process.exit(3) }
if (mode === 'stubborn') process.on('SIGTERM', () => console.log('ignoring SIGTERM'))
else process.on('SIGTERM', () => { console.log('draining'); process.exit(0) })
if (mode === 'mute') setInterval(() => {}, 1000)
else http.createServer((req, res) => res.writeHead(req.url === ping ? 200 : 404).end('OK')).listen(Number(port), host, () => console.error('listening on ' + port))
`,
)

test('picks a free port, waits for /ping, keeps the logs, drops inherited OAUTH2_PROXY_* and stops with SIGTERM', async (t) => {
  process.env.OAUTH2_PROXY_LEAKED = 'yes'
  t.after(() => delete process.env.OAUTH2_PROXY_LEAKED)
  const gh = await startGatehouse({ args: [], entry, env: { OAUTH2_PROXY_PASSED: 'given' } })
  t.after(() => gh.stop())
  assert.match(gh.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal((await fetch(`${gh.url}/ping`)).status, 200)
  await gh.waitForLog(`listening on ${gh.port}`)
  assert.match(gh.logs(), /leaked=none passed=given/)
  assert.equal(await gh.stop(), 0)
  assert.match(gh.logs(), /draining/)
  assert.equal(await gh.stop(), 0, 'stopping twice is harmless')
})

test('an explicit --http-address and --ping-path are used as given', async (t) => {
  const port = await freePort()
  const gh = await startGatehouse({ args: [`--http-address=127.0.0.1:${port}`, '--ping-path=/healthz'], entry })
  t.after(() => gh.stop())
  assert.equal(gh.port, port)
  assert.equal((await fetch(`${gh.url}/healthz`)).status, 200)
})

test('a process that exits early rejects with its logs', async () => {
  await assert.rejects(startGatehouse({ args: [], entry, env: { FAKE_MODE: 'crash' } }), /exited before it was ready \(code 3[\s\S]*boom/)
})

test('a process that never answers is killed after readyTimeoutMs', async () => {
  await assert.rejects(startGatehouse({ args: [], entry, env: { FAKE_MODE: 'mute' }, readyTimeoutMs: 300 }), /did not answer \/ping/)
})

test('stop escalates to SIGKILL when SIGTERM is ignored', async () => {
  const gh = await startGatehouse({ args: [], entry, env: { FAKE_MODE: 'stubborn' }, stopTimeoutMs: 200 })
  assert.equal(await gh.stop(), null)
  assert.equal(gh.proc.signalCode, 'SIGKILL')
})

test('runGatehouse returns the exit code and output of a one-shot run', async () => {
  const run = await runGatehouse({ args: ['--http-address=127.0.0.1:1'], entry, env: { FAKE_MODE: 'crash' } })
  assert.equal(run.code, 3)
  assert.match(run.logs, /invalid configuration: boom/)
})
