// Reload triggers beyond a single SIGHUP: with --workers the primary passes SIGHUP to every worker and each one
// reloads (one config.reload line per worker pid, and every request sees the change); with --watch-config an edit of
// the cfg file is enough, a broken edit is refused, and a file the configuration names is watched too.
import { strict as assert } from 'node:assert'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { request } from 'undici'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { reloadLines, sighup, startCfgStack, waitForReloads, type CfgStack } from '../helpers/reload.js'

/** The workers a primary reported listening. */
function workerPids(s: CfgStack): Set<number> {
  const pids = new Set<number>()
  for (const l of s.stack.proxy.logs().split('\n')) {
    if (!l.startsWith('{')) continue
    const line = JSON.parse(l) as { event?: string; workerPid?: number }
    if (line.event === 'cluster.worker.listening' && line.workerPid !== undefined) pids.add(line.workerPid)
  }
  return pids
}

async function signedIn(s: CfgStack): Promise<string> {
  const { client, result } = await s.stack.signIn('alice')
  assert.equal(result.status, 302)
  return client.jar.header(s.stack.proxy.url) ?? ''
}

/** A signed-in GET on its own connection, so that with --workers consecutive ones reach different workers. */
async function get(s: CfgStack, cookie: string): Promise<{ status: number; echo?: EchoReply }> {
  const res = await request(`${s.stack.proxy.url}/app`, { headers: { cookie, accept: 'application/json' }, reset: true })
  const text = await res.body.text()
  return { status: res.statusCode, ...(res.statusCode === 200 ? { echo: JSON.parse(text) as EchoReply } : {}) }
}

describe('--workers 2: SIGHUP reloads every worker', () => {
  let s: CfgStack
  let cookie: string
  before(async () => {
    s = await startCfgStack({ flags: ['--workers=2'] })
    for (let i = 0; i < 600 && workerPids(s).size < 2; i++) await new Promise((r) => setTimeout(r, 50))
    assert.equal(workerPids(s).size, 2)
    cookie = await signedIn(s)
  })
  after(() => s.close())

  it('logs one reload per worker and every worker serves the new configuration', async () => {
    s.write({ email_domains: ['example.org'] })
    const lines = await sighup(s.stack.proxy, 2)
    assert.deepEqual(lines.map((l) => l.outcome), ['ok', 'ok'])
    assert.deepEqual(new Set(lines.map((l) => l.pid)), workerPids(s))
    for (let i = 0; i < 6; i++) assert.equal((await get(s, cookie)).status, 403, `request ${i}`)

    s.write({ cookie_expire: 'never' })
    const refused = await sighup(s.stack.proxy, 2)
    assert.deepEqual(refused.map((l) => l.outcome), ['refused', 'refused'])
    s.write()
    await sighup(s.stack.proxy, 2)
    for (let i = 0; i < 6; i++) assert.equal((await get(s, cookie)).status, 200, `request ${i}`)
    assert.equal(s.stack.proxy.proc.exitCode, null)
  })
})

describe('--watch-config', () => {
  let s: CfgStack
  let cookie: string
  let emails: string
  before(async () => {
    s = await startCfgStack({ flags: ['--watch-config'] })
    emails = join(s.dir, 'emails.txt')
    cookie = await signedIn(s)
  })
  after(() => s.close())

  it('reloads when the cfg file changes, and refuses a broken edit', async () => {
    let before = reloadLines(s.stack.proxy).length
    s.write({ email_domains: ['example.org'] })
    let [line] = await waitForReloads(s.stack.proxy, before)
    assert.equal(line?.outcome, 'ok')
    assert.equal(line?.trigger, 'watch')
    assert.equal((await get(s, cookie)).status, 403)

    before = reloadLines(s.stack.proxy).length
    writeFileSync(s.cfgPath, 'email_domains = "example.org\n')
    ;[line] = await waitForReloads(s.stack.proxy, before)
    assert.equal(line?.outcome, 'refused')
    assert.equal((await get(s, cookie)).status, 403, 'the configuration in force keeps serving')
  })

  it('watches a file the new configuration names, here --authenticated-emails-file', async () => {
    writeFileSync(emails, 'bob@example.com\n')
    let before = reloadLines(s.stack.proxy).length
    s.write({ email_domains: ['example.org'], authenticated_emails_file: emails })
    let [line] = await waitForReloads(s.stack.proxy, before)
    assert.equal(line?.outcome, 'ok')
    assert.equal((await get(s, cookie)).status, 403)

    before = reloadLines(s.stack.proxy).length
    writeFileSync(emails, 'bob@example.com\nalice@example.com\n')
    ;[line] = await waitForReloads(s.stack.proxy, before)
    assert.equal(line?.outcome, 'ok')
    assert.equal((await get(s, cookie)).status, 200, 'alice is listed now')
  })
})
