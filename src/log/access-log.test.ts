import { strict as assert } from 'node:assert'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, it } from 'node:test'
import type { RequestContext } from '../http/context.js'
import { createAccessLog } from './access-log.js'
import { accessLineWriter, createLoggers, JSON_LOG_SETTINGS } from './logger.js'

/** A destination that keeps every line written to it. */
function capture(): { out: { write(line: string): boolean }; lines: string[] } {
  const lines: string[] = []
  return { out: { write: (line: string) => (lines.push(line), true) }, lines }
}

function context(overrides: { user?: string; upstream?: string; url?: string; userAgent?: string; host?: string; size?: string; span?: { traceId: string; spanId: string } }): RequestContext {
  const headers: Record<string, string> = {}
  if (overrides.host !== undefined) headers['host'] = overrides.host
  if (overrides.userAgent !== undefined) headers['user-agent'] = overrides.userAgent
  const req = { headers, method: 'GET', httpVersion: '1.1' } as unknown as IncomingMessage
  const res = { statusCode: 200, getHeader: (name: string) => (name === 'content-length' ? overrides.size : undefined) } as unknown as ServerResponse
  const url = overrides.url ?? '/'
  return { id: 'req-1', origin: { clientIp: '10.0.0.1' }, req, res, rawUrl: url, pathname: url.split('?')[0], startedAt: performance.now(), user: overrides.user, upstream: overrides.upstream, span: overrides.span } as unknown as RequestContext
}

/** The line without its time, which differs between two writes. */
const timeless = (line: string | undefined): string => (line ?? '').replace(/"time":"[^"]*"/, '"time":""')

/** The same line through pino and through the direct writer (durations fixed to compare). */
function bothWays(ctx: RequestContext, fields?: Record<string, string | number>): { viaPino: string; direct: string } {
  const settings = fields === undefined ? JSON_LOG_SETTINGS : { ...JSON_LOG_SETTINGS, fields }
  const a = capture()
  const direct = createLoggers(settings, { out: a.out, err: a.out }).access
  assert.notEqual(accessLineWriter(direct), undefined)
  const b = capture()
  const viaPino = createLoggers(settings, { out: b.out, err: b.out }).access
  Object.defineProperty(viaPino, Object.getOwnPropertySymbols(direct).find((s) => s.description === 'gatehouse.accessLine') as symbol, { value: undefined })
  assert.equal(accessLineWriter(viaPino), undefined)
  const fixed = { ...ctx, startedAt: 0 } as RequestContext
  const realNow = performance.now
  performance.now = () => 1.5
  try {
    createAccessLog(direct, { enabled: true, excludePaths: [], silencePaths: [] })(fixed)
    createAccessLog(viaPino, { enabled: true, excludePaths: [], silencePaths: [] })(fixed)
  } finally {
    performance.now = realNow
  }
  return { direct: timeless(a.lines[0]), viaPino: timeless(b.lines[0]) }
}

describe('the access line written directly', () => {
  it('is byte for byte the line pino writes, undefined fields left out', () => {
    const { direct, viaPino } = bothWays(context({}))
    assert.equal(direct, viaPino)
    assert.doesNotMatch(direct, /"user"|"upstream"|"size"|"traceId"/)
  })

  it('escapes every string as JSON does, and keeps the optional fields in pino\'s order', () => {
    const ctx = context({ user: 'al"ice\\', upstream: 'http://127.0.0.1:1/', url: '/p?code=secret&x="1"\u2028', userAgent: 'ua\n\u0001é', host: 'h:1', size: '512', span: { traceId: 't', spanId: 's' } })
    const { direct, viaPino } = bothWays(ctx)
    assert.equal(direct, viaPino)
    const parsed = JSON.parse(direct) as Record<string, unknown>
    assert.equal(parsed['uri'], '/p?code=[redacted]&x="1"\u2028')
    assert.equal(parsed['size'], 512)
  })

  it('carries the process fields of a --workers process', () => {
    const { direct, viaPino } = bothWays(context({}), { pid: 4242 })
    assert.equal(direct, viaPino)
    assert.match(direct, /"service":"gatehouse","pid":4242,"event":"http.request"/)
  })

  it('is not used for a text access log, nor when request logging is off', () => {
    const { out } = capture()
    assert.equal(accessLineWriter(createLoggers({ ...JSON_LOG_SETTINGS, templates: { request: '{{.Client}}' } }, { out, err: out }).access), undefined)
    assert.equal(accessLineWriter(createLoggers({ ...JSON_LOG_SETTINGS, enabled: { request: false, auth: true, standard: true } }, { out, err: out }).access), undefined)
  })
})
