import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig } from '../config/load.js'
import { ConfigError } from '../errors.js'
import { bindRequest, createLoggers, JSON_LOG_SETTINGS, kindOfEvent, type LogSettings } from './logger.js'
import { createLogOutput } from './output.js'
import { logSettingsFromConfig } from './settings.js'

function sink(): { write(line: string): void; lines: string[] } {
  const lines: string[] = []
  return { lines, write: (line) => void lines.push(...line.split('\n').filter((l) => l !== '')) }
}

const ARGS = ['--provider=oidc', '--oidc-issuer-url=https://idp.example', '--client-id=c', '--client-secret=s', '--cookie-secret=0123456789abcdef0123456789abcdef', '--email-domain=*']

function settings(extra: string[]): LogSettings {
  const r = loadConfig({ argv: [...ARGS, ...extra], env: {} })
  assert.equal(r.kind, 'config')
  if (r.kind !== 'config') throw new Error('unreachable')
  return logSettingsFromConfig(r.config)
}

describe('loggers', () => {
  it('classifies events into request, auth and standard kinds', () => {
    assert.equal(kindOfEvent('http.request'), 'request')
    assert.equal(kindOfEvent('auth.login.success'), 'auth')
    assert.equal(kindOfEvent('session.refresh.failed'), 'auth')
    assert.equal(kindOfEvent('session.redis.error'), 'standard')
    assert.equal(kindOfEvent(undefined), 'standard')
  })

  it('writes JSON with redaction, error lines to the error output unless errors-to-info-log', () => {
    const out = sink()
    const err = sink()
    const { log } = createLoggers(JSON_LOG_SETTINGS, { out, err })
    log.info({ event: 'x', accessToken: 'tok-123' }, 'hello')
    log.error({ event: 'y' }, 'boom')
    assert.equal(out.lines.length, 1)
    assert.match(out.lines[0] ?? '', /"accessToken":"\[redacted\]"/)
    assert.equal(err.lines.length, 1)
    assert.match(err.lines[0] ?? '', /"msg":"boom"/)
    const both = sink()
    const other = sink()
    createLoggers({ ...JSON_LOG_SETTINGS, errorsToInfo: true }, { out: both, err: other }).log.error({ event: 'y' }, 'boom')
    assert.equal(both.lines.length, 1)
    assert.equal(other.lines.length, 0)
  })

  it('drops the kinds turned off and renders text kinds from their template', () => {
    const out = sink()
    const err = sink()
    const { log, access } = createLoggers(settings(['--standard-logging=false', '--logging-format=text', '--logging-local-time=false']), { out, err })
    const child = bindRequest(log.child({ requestId: 'r1' }), { requestId: 'r1', client: '10.0.0.1', host: 'h', method: 'GET', protocol: 'HTTP/1.1', userAgent: 'ua' })
    child.info({ event: 'server.listening' }, 'dropped')
    child.info({ event: 'auth.login.success', user: 'u', email: 'u@example.com', accessToken: 'tok-123' }, 'signed in')
    child.error({ event: 'auth.login.failed', reason: 'bad thing' }, 'failed')
    access.info({ event: 'http.request', requestId: 'r2', client: '10.0.0.2', host: 'h', method: 'GET', uri: '/a b', protocol: 'HTTP/1.1', status: 200, durationMs: 1.5, userAgent: 'curl' })
    assert.equal(out.lines.length, 2, out.lines.join('\n'))
    assert.match(out.lines[0] ?? '', /^10\.0\.0\.1 - r1 - u@example\.com \[\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\] \[AuthSuccess\] signed in$/)
    assert.match(out.lines[1] ?? '', /^10\.0\.0\.2 - r2 - - \[[^\]]+\] h GET  "\/a b" HTTP\/1\.1 "curl" 200 0 0\.002$/)
    assert.deepEqual(err.lines.map((l) => l.replace(/\[\d[^\]]+\] /, '')), ['10.0.0.1 - r1 - - [AuthError] failed (reason="bad thing")'])
    assert.ok(!out.lines.join('').includes('tok-123'))
  })

  it('keeps JSON by default but renders a kind whose format was changed', () => {
    const s = settings(['--auth-logging-format={{.Username}}: {{.Message}}'])
    assert.deepEqual(Object.keys(s.templates), ['auth'])
    const out = sink()
    const { log } = createLoggers(s, { out, err: sink() })
    log.info({ event: 'auth.logout', email: 'a@b' }, 'signed out')
    log.info({ event: 'server.stopped' }, 'stopped')
    assert.equal(out.lines[0], 'a@b: signed out')
    assert.match(out.lines[1] ?? '', /^\{.*"event":"server\.stopped"/)
  })

  it('refuses a template it cannot render at start', () => {
    assert.throws(
      () => loadConfig({ argv: [...ARGS, '--request-logging-format={{.Nope}}'], env: {} }),
      (e: unknown) => e instanceof ConfigError && /request-logging-format/.test(e.message) && /unknown field \.Nope/.test(e.message),
    )
  })

  it('fails at start on a log file it cannot write, and accepts the rotation options', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-log-'))
    writeFileSync(join(dir, 'file'), '')
    try {
      assert.throws(() => createLogOutput(join(dir, 'file', 'x.log')), /cannot write the log file/)
      assert.throws(() => createLogOutput('/proc/gatehouse-no-such-dir/x.log'), /cannot write the log file/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    // Rotation is supported (lumberjack's rules, src/log/rotating-file.ts); a negative size is still refused.
    const loaded = loadConfig({ argv: [...ARGS, '--logging-max-size=10', '--logging-max-age=1', '--logging-max-backups=3', '--logging-compress'], env: {} })
    assert.equal(loaded.kind === 'config' && loaded.config.loggingMaxBackups, 3)
    assert.throws(() => loadConfig({ argv: [...ARGS, '--logging-max-size=-1'], env: {} }), (e: unknown) => e instanceof ConfigError && /logging-max-size/.test(e.message))
  })
})
