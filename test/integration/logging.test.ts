// Logs through the real process, JSON (the default): auth events carry who, from where, which request and which
// rule; no log line holds a cookie, token or secret; --auth-logging / --standard-logging / --request-logging and a
// changed --request-logging-format act on their own kind only.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { assertNoSecrets, LOG_FLOW_ARGS, runLogFlow } from '../helpers/log-flow.js'
import { startStack, type Stack } from '../helpers/stack.js'

type Line = Record<string, unknown>

function jsonLines(logs: string): Line[] {
  return logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line)
}

describe('logs in JSON (default)', () => {
  let stack: Stack
  let secrets: string[] = []
  before(async () => {
    stack = await startStack({ args: LOG_FLOW_ARGS })
    secrets = await runLogFlow(stack)
    await stack.proxy.waitForLog('/oauth2/sign_out')
  })
  after(() => stack.close())

  it('writes every line as one JSON object', () => {
    const text = stack.proxy.logs().split('\n').filter((l) => l.trim() !== '')
    assert.ok(text.length > 10)
    for (const line of text) assert.doesNotThrow(() => JSON.parse(line), line)
  })

  it('never logs the session cookie, tokens, code, client secret or cookie secret', () => {
    assertNoSecrets(stack.proxy.logs(), secrets)
  })

  it('gives auth events the user, email, client IP, request id and deciding rule', () => {
    const lines = jsonLines(stack.proxy.logs())
    const byEvent = (e: string): Line[] => lines.filter((l) => l.event === e)
    const success = byEvent('auth.login.success')[0]
    assert.ok(success)
    assert.equal(success.user !== undefined && success.email, 'alice@example.com')
    assert.equal(success.client, '127.0.0.1')
    assert.match(String(success.requestId), /^[0-9a-f-]{36}$/)
    assert.equal(success.rule, 'allowed')
    for (const event of ['session.refresh.success', 'auth.denied', 'auth.logout']) {
      const line = byEvent(event)[0]
      assert.ok(line, event)
      assert.equal(line.email, 'alice@example.com', event)
      assert.equal(line.client, '127.0.0.1', event)
      assert.ok(typeof line.requestId === 'string' && line.requestId !== '', event)
    }
    assert.equal(byEvent('auth.denied')[0]?.rule, 'allowed_emails')
    const reasons = byEvent('auth.login.failed').map((l) => l.reason)
    assert.ok(reasons.includes('idp_error') && reasons.includes('csrf_missing'), String(reasons))
    for (const line of byEvent('auth.login.failed')) assert.equal(line.client, '127.0.0.1')
  })

  it('logs one http.request line per response with the code redacted', () => {
    const requests = jsonLines(stack.proxy.logs()).filter((l) => l.event === 'http.request')
    const callback = requests.find((l) => String(l.uri).startsWith('/oauth2/callback?') && l.status === 302)
    assert.ok(callback)
    assert.match(String(callback.uri), /code=\[redacted\]/)
    assert.ok(requests.some((l) => l.uri === '/page' && l.user === 'alice@example.com' && l.status === 200))
  })

  it('turns auth and standard logs off on their own, and renders a changed request format as text', async () => {
    await stack.restartProxy(['--auth-logging=false', '--standard-logging=false', '--request-logging-format=REQ {{.StatusCode}} {{.RequestURI}} {{.Username}}'])
    const { client } = await stack.signIn('alice', '/quiet')
    assert.equal((await client.get(`${stack.proxy.url}/quiet-page`)).status, 200)
    await stack.proxy.waitForLog('REQ 200 "/quiet-page" alice@example.com')
    const logs = stack.proxy.logs()
    assert.doesNotMatch(logs, /auth\.login|signed in|server\.listening/)
    assert.doesNotMatch(logs, /^\{/m, 'no JSON lines left: auth and standard are off, requests are text')
    await stack.restartProxy(['--request-logging=false'])
    const again = await stack.signIn('alice', '/no-access-log')
    assert.equal(again.result.status, 302)
    await stack.proxy.waitForLog('auth.login.success')
    assert.doesNotMatch(stack.proxy.logs(), /http\.request/)
  })
})
