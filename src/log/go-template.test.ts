import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { compileLogTemplate, DEFAULT_LOG_TEMPLATES, formatLogTimestamp, parseLogTemplate, quoteGo } from './go-template.js'

describe('log templates ({{.Field}} in oauth2-proxy syntax)', () => {
  it('compiles the default templates and renders literal text and fields', () => {
    for (const kind of ['request', 'auth', 'standard'] as const) assert.ok(parseLogTemplate(DEFAULT_LOG_TEMPLATES[kind], kind).ok, kind)
    const render = compileLogTemplate('[{{.Timestamp}}] [{{ .File }}] {{.Message}}!', 'standard')
    assert.equal(render({ Timestamp: 'T', File: 'f', Message: 'hello' }), '[T] [f] hello!')
    assert.equal(compileLogTemplate('plain', 'standard')({}), 'plain')
  })

  it('refuses unknown fields, fields of another kind, other actions and unclosed actions', () => {
    const problem = (source: string, kind: 'request' | 'auth' | 'standard'): string => {
      const r = parseLogTemplate(source, kind)
      return r.ok ? '' : r.problem
    }
    assert.match(problem('{{.Nope}}', 'request'), /unknown field \.Nope/)
    assert.match(problem('{{.StatusCode}}', 'auth'), /unknown field \.StatusCode/)
    assert.match(problem('{{if .Client}}x{{end}}', 'auth'), /unsupported action/)
    assert.match(problem('{{.Client | printf "%s"}}', 'auth'), /unsupported action/)
    assert.match(problem('a {{.Client', 'auth'), /unclosed/)
    assert.throws(() => compileLogTemplate('{{.Nope}}', 'auth'), /bad auth log template/)
  })

  it('formats timestamps like Go 2006/01/02 15:04:05, in UTC or local time', () => {
    const d = new Date(Date.UTC(2015, 2, 9, 7, 5, 3))
    assert.equal(formatLogTimestamp(d, false), '2015/03/09 07:05:03')
    const local = new Date(2015, 2, 9, 7, 5, 3)
    assert.equal(formatLogTimestamp(local, true), '2015/03/09 07:05:03')
  })

  it('quotes like Go %q', () => {
    assert.equal(quoteGo('/a?b="c"'), String.raw`"/a?b=\"c\""`)
    assert.equal(quoteGo('x\u0001y'), String.raw`"x\x01y"`)
    assert.equal(quoteGo(''), '""')
  })
})
