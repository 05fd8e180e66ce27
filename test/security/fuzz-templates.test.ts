// fast-check against the Go template engine: any source either parses or fails with a TemplateError (file and line),
// and no data value can leave the HTML context it is written in.
import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import './fuzz-seed.js'
import { TemplateError } from '../../src/pages/template/errors.js'
import { createTemplateSet } from '../../src/pages/template/template-set.js'

const PIECES = [
  '{{', '}}', '{{-', ' -}}', '{{/*', '*/}}', '.X', '.X.Y', '$', '$x', ':=', '=', '|', '(', ')', '"s"', '`r`', "'c'", '12', '-3', '1.5',
  'if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'eq', 'printf', 'len', 'index', 'and', 'nil',
  ' ', '\n', '<a href="', '">', '<script>', '</script>', '<!--', '-->', 'text',
]

describe('fuzzing the Go template engine', () => {
  it('parses or refuses any source with a TemplateError naming a line, never another exception', () => {
    const source = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 4 })), { maxLength: 30 }).map((a) => a.join(''))
    fc.assert(
      fc.property(source, (text) => {
        try {
          const set = createTemplateSet([{ file: 'sign_in.html', text }])
          try {
            set.render('sign_in.html', { X: { Y: 'y' } })
          } catch (err) {
            assert.ok(err instanceof TemplateError, String(err))
          }
        } catch (err) {
          assert.ok(err instanceof TemplateError, `${String(err)} for ${JSON.stringify(text)}`)
          assert.ok(err.line >= 1 && err.line <= text.split('\n').length, `line ${err.line} for ${JSON.stringify(text)}`)
        }
      }),
      { numRuns: 3_000 },
    )
  })

  it('keeps any value inside element text, attributes, URLs and scripts', () => {
    const set = createTemplateSet([{
      file: 't.html',
      text: '<p>{{.V}}</p><input value="{{.V}}"><input value=\'{{.V}}\'><a href="{{.V}}">x</a><a href="/s?rd={{.V}}">y</a><script>var v = {{.V}}; var s = "{{.V}}";</script><b>end</b>',
    }])
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('javascript:alert(1)', '"><script>x</script>', "'onmouseover='x", '</script><b>', 'JaVaScRiPt:x')), (v) => {
        const out = set.render('t.html', { V: v })
        const [p, a1, a2, href, query, script] = /^<p>(.*)<\/p><input value="(.*)"><input value='(.*)'><a href="(.*)">x<\/a><a href="\/s\?rd=(.*)">y<\/a><script>(.*)<\/script><b>end<\/b>$/s.exec(out)?.slice(1) ?? []
        assert.ok(script !== undefined, `structure broken by ${JSON.stringify(v)}: ${out}`)
        for (const part of [p, a1, a2]) assert.ok(!/[<>"']/.test(part ?? ''), `${JSON.stringify(v)} → ${part}`)
        assert.ok(!/[<>"'\s]/.test(href ?? '') && !/^\s*javascript:/i.test(href ?? ''), `${JSON.stringify(v)} → ${href}`)
        assert.ok(/^[A-Za-z0-9%._~-]*$/.test(query ?? ''), `${JSON.stringify(v)} → ${query}`)
        assert.ok(!/<\/script/i.test(script) && !/[<>]/.test(script), `${JSON.stringify(v)} → ${script}`)
      }),
      { numRuns: 3_000 },
    )
  })
})
