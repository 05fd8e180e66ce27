// Logs through the real process in oauth2-proxy's text formats (--logging-format=text) written to
// --logging-filename: the default templates' shapes, no secrets in any line, and reopening on SIGHUP.
import { strict as assert } from 'node:assert'
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { assertNoSecrets, LOG_FLOW_ARGS, runLogFlow } from '../helpers/log-flow.js'
import { startStack, type Stack } from '../helpers/stack.js'

const TS = String.raw`\[\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\]`
const ID = '[0-9a-f-]{36}'

async function waitForFile(path: string, pattern: RegExp): Promise<string> {
  const until = Date.now() + 5000
  for (;;) {
    let text = ''
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      // not written yet
    }
    if (pattern.test(text)) return text
    if (Date.now() > until) throw new Error(`${String(pattern)} did not appear in ${path}:\n${text}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('logs in text (--logging-format=text) to --logging-filename', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logs-'))
  const file = join(dir, 'sub', 'gatehouse.log')
  let stack: Stack
  let secrets: string[] = []
  let text = ''
  before(async () => {
    stack = await startStack({ args: [...LOG_FLOW_ARGS, '--logging-format=text', `--logging-filename=${file}`] })
    secrets = await runLogFlow(stack)
    text = await waitForFile(file, /"\/oauth2\/sign_out" HTTP\/1\.1/)
  })
  after(async () => {
    await stack.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes to the file, not stdout, and never JSON', () => {
    assert.doesNotMatch(stack.proxy.logs(), /http\.request|\/oauth2\/sign_out/)
    assert.doesNotMatch(text, /^\{/m)
  })

  it('never logs the session cookie, tokens, code, client secret or cookie secret', () => {
    assertNoSecrets(text + stack.proxy.logs(), secrets)
  })

  it('renders oauth2-proxy default request, auth and standard lines', () => {
    assert.match(text, new RegExp(String.raw`^127\.0\.0\.1 - ${ID} - alice@example\.com ${TS} 127\.0\.0\.1:\d+ GET / "/page" HTTP/1\.1 "" 200 \d+ \d+\.\d{3}$`, 'm'))
    assert.match(text, new RegExp(String.raw`^127\.0\.0\.1 - ${ID} - - ${TS} 127\.0\.0\.1:\d+ GET  "/oauth2/callback\?code=\[redacted\]&state=\[redacted\]" HTTP/1\.1 "" 403 \d+ \d+\.\d{3}$`, 'm'))
    assert.match(text, new RegExp(String.raw`^127\.0\.0\.1 - ${ID} - alice@example\.com ${TS} \[AuthSuccess\] signed in`, 'm'))
    assert.match(text, new RegExp(String.raw`^127\.0\.0\.1 - ${ID} - alice@example\.com ${TS} \[AuthSuccess\] session refreshed`, 'm'))
    assert.match(text, new RegExp(String.raw`^127\.0\.0\.1 - ${ID} - alice@example\.com ${TS} \[AuthFailure\] .*rule=allowed_emails`, 'm'))
    assert.match(text, new RegExp(String.raw`^127\.0\.0\.1 - ${ID} - - ${TS} \[AuthFailure\] .*reason=csrf_missing`, 'm'))
    assert.match(text, new RegExp(String.raw`^127\.0\.0\.1 - ${ID} - alice@example\.com ${TS} \[AuthSuccess\] signed out$`, 'm'))
    assert.match(text, new RegExp(String.raw`^${TS} \[server\.listening\] gatehouse listening on http://127\.0\.0\.1:\d+`, 'm'))
  })

  it('the same request id joins an auth line to its access line', () => {
    const auth = new RegExp(String.raw`^127\.0\.0\.1 - (${ID}) - alice@example\.com ${TS} \[AuthSuccess\] signed in`, 'm').exec(text)
    assert.ok(auth?.[1])
    assert.match(text, new RegExp(String.raw`^127\.0\.0\.1 - ${auth[1]} - alice@example\.com ${TS} 127\.0\.0\.1:\d+ GET  "/oauth2/callback\?code=`, 'm'))
  })

  it('reopens the file on SIGHUP so an external rotator can move it', async () => {
    renameSync(file, `${file}.1`)
    stack.proxy.proc.kill('SIGHUP')
    // The signal is handled asynchronously: request until a line reaches the new file.
    const until = Date.now() + 5000
    for (let n = 0; ; n++) {
      assert.equal((await stack.client().get(`${stack.proxy.url}/ping`)).status, 200)
      try {
        if (readFileSync(file, 'utf8').includes('"/ping"')) break
      } catch {
        // not reopened yet
      }
      assert.ok(Date.now() < until, 'no line reached the reopened file')
      await new Promise((r) => setTimeout(r, 50 + n))
    }
    assert.match(readFileSync(`${file}.1`, 'utf8'), /\/oauth2\/sign_out/)
  })
})
