import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { Shape } from './check.js'
import { TemplateError } from './errors.js'
import { createTemplateSet } from './template-set.js'
import { safeHtml, type Value } from './values.js'

const data: Value = {
  Name: 'Ann <ann@example.com>',
  Empty: '',
  Count: 3,
  Zero: 0,
  On: true,
  Off: false,
  Html: safeHtml('<b>bold</b> &amp; more'),
  Url: '/app?x=1&y=a b',
  Bad: 'javascript:alert(1)',
  Nested: { Inner: { Leaf: 'leaf' }, Label: 'nested' },
  List: ['a', 'b', 'c'],
  None: [],
  Map: { k2: 'two', k1: 'one' },
}

function render(text: string, d: Value = data): string {
  return createTemplateSet([{ file: 't.html', text }]).render('t.html', d)
}

describe('Go template engine: actions, control flow, functions', () => {
  const cases: [string, string, string][] = [
    ['literal text', 'plain <p>text</p>', 'plain <p>text</p>'],
    ['field', '{{.Count}}', '3'],
    ['nested fields', '{{.Nested.Inner.Leaf}}', 'leaf'],
    ['dot', '{{with .Nested.Label}}[{{.}}]{{end}}', '[nested]'],
    ['if / else if / else', '{{if .Off}}a{{else if .Zero}}b{{else if .On}}c{{else}}d{{end}}', 'c'],
    ['if on empty string', '{{if .Empty}}y{{else}}n{{end}}', 'n'],
    ['with else', '{{with .Empty}}x{{else}}none{{end}}', 'none'],
    ['range with index', '{{range $i, $e := .List}}{{$i}}={{$e}};{{end}}', '0=a;1=b;2=c;'],
    ['range over a map is sorted by key', '{{range $k, $v := .Map}}{{$k}}:{{$v}} {{end}}', 'k1:one k2:two '],
    ['range else', '{{range .None}}x{{else}}empty{{end}}', 'empty'],
    ['break and continue', '{{range .List}}{{if eq . "b"}}{{continue}}{{end}}{{if eq . "c"}}{{break}}{{end}}{{.}}{{end}}', 'a'],
    ['variables and $', '{{$n := .Count}}{{with .Nested}}{{$n}} {{$.Name | len}}{{end}}', '3 21'],
    ['variable assignment', '{{$x := 1}}{{if .On}}{{$x = 2}}{{end}}{{$x}}', '2'],
    ['comments and trim markers', 'a  {{- /* gone */ -}}  b {{- " c " -}} d', 'ab c d'],
    ['define and template', '{{define "x"}}({{.}}){{end}}{{template "x" .Name}}', '(Ann &lt;ann@example.com&gt;)'],
    ['block with a default body', '{{block "b" .Nested}}{{.Label}}{{end}}!', 'nested!'],
    ['eq with several values, ne, lt, ge', '{{eq .Count 1 2 3}} {{ne .Name "x"}} {{lt 1 2}} {{ge .Count 4}}', 'true true true false'],
    ['eq on template.HTML and a string', '{{if eq .Html "-"}}dash{{else}}other{{end}}', 'other'],
    ['and / or return a value, not', '{{or .Empty .Count}} {{and .On .Zero}} {{not .Off}} {{not .None}} {{not .Map}}', '3 0 true true false'],
    ['len and index', '{{len .List}} {{index .List 1}} {{index .Map "k2"}}', '3 b two'],
    ['pipelines and parentheses', '{{.Count | printf "%03d"}} {{(index .Nested "Inner").Leaf}}', '003 leaf'],
    ['printf verbs', '{{printf "%s=%v %q %d%%" "a" .On "q" 7}}', 'a=true &#34;q&#34; 7%'],
    ['print spacing like fmt.Sprint', '{{print 1 2 "x" 3}}', '1 2x3'],
    ['html, js and urlquery functions', '{{js "it\'s"}} {{urlquery "a b&c"}}', 'it\\&#39;s a&#43;b%26c'],
    ['ToUpper and ToLower (oauth2-proxy\'s functions)', '{{ToUpper "abc"}} {{.Name | ToLower}}', 'ABC ann &lt;ann@example.com&gt;'],
    ['string, raw string, number and bool literals', '{{"a\\tb"}}|{{`raw\\n`}}|{{0x10}}|{{1.5}}|{{true}}', 'a\tb|raw\\n|16|1.5|true'],
    ['range over an integer', '{{range 3}}{{.}}{{end}}', '012'],
  ]
  for (const [name, text, want] of cases) it(name, () => assert.equal(render(text), want))
})

describe('Go template engine: contextual escaping as html/template', () => {
  const cases: [string, string, string][] = [
    ['element text', '<p>{{.Name}}</p>', '<p>Ann &lt;ann@example.com&gt;</p>'],
    ['Go\'s entities for quotes and +', '<p>{{"\\"\'+&"}}</p>', '<p>&#34;&#39;&#43;&amp;</p>'],
    ['trusted HTML in text is written as is', '<div>{{.Html}}</div>', '<div><b>bold</b> &amp; more</div>'],
    ['trusted HTML in an attribute loses its tags', '<p title="{{.Html}}">', '<p title="bold &amp; more">'],
    ['quoted attribute', '<input value="{{.Name}}">', '<input value="Ann &lt;ann@example.com&gt;">'],
    ['single-quoted attribute', "<input value='{{.Name}}'>", "<input value='Ann &lt;ann@example.com&gt;'>"],
    ['unquoted attribute', '<input value={{.Url}}>', '<input value=/app?x&#61;1&amp;y&#61;a&#32;b>'],
    ['URL attribute: normalised', '<a href="{{.Url}}">', '<a href="/app?x=1&amp;y=a%20b">'],
    ['URL attribute: javascript: refused', '<a href="{{.Bad}}">x</a>', '<a href="#ZgotmplZ">x</a>'],
    ['URL attribute: form action refused too', '<form action="{{.Bad}}">', '<form action="#ZgotmplZ">'],
    ['URL attribute: https passes', '<img src="{{"https://cdn.example.com/a.png"}}">', '<img src="https://cdn.example.com/a.png">'],
    ['URL attribute: query part is query-escaped', '<a href="/sign_in?rd={{.Url}}">', '<a href="/sign_in?rd=%2fapp%3fx%3d1%26y%3da%20b">'],
    ['URL attribute: path after a prefix is only normalised', '<form action="{{"/oauth2"}}/start">', '<form action="/oauth2/start">'],
    ['srcset: each URL checked, descriptors kept', '<img srcset="{{"/a.png 2x, javascript:x 1x"}}">', '<img srcset="/a.png 2x,#ZgotmplZ">'],
    ['unquoted empty attribute', '<p title={{.Empty}}>', '<p title=>'],
    ['script: values become JS literals', '<script>var n = {{.Name}}, c = {{.Count}};</script>', '<script>var n = "Ann \\u003cann@example.com\\u003e", c =  3 ;</script>'],
    ['script: inside a JS string', "<script>var s = '{{.Name}}';</script>", "<script>var s = 'Ann \\u003cann@example.com\\u003e';</script>"],
    ['event handler attribute', '<button onclick="go({{.Name}})">', '<button onclick="go(&#34;Ann \\u003cann@example.com\\u003e&#34;)">'],
    ['style: unsafe values refused', '<p style="color: {{.Name}}">', '<p style="color: ZgotmplZ">'],
    ['title is escaped as text', '<title>{{.Count}} {{.Name}}</title>', '<title>3 Ann &lt;ann@example.com&gt;</title>'],
    ['HTML comments in the template are removed', 'a<!-- {{.Name}} secret -->b', 'ab'],
    ['html at the end of a pipeline is not escaped twice', '<p>{{.Name | html}}</p>', '<p>Ann &lt;ann@example.com&gt;</p>'],
    ['text after a script is text again', '<script>x</script><p>{{.Name}}</p>', '<script>x</script><p>Ann &lt;ann@example.com&gt;</p>'],
  ]
  for (const [name, text, want] of cases) it(name, () => assert.equal(render(text), want))
})

describe('Go template engine: errors name file and line', () => {
  function parseError(text: string): string {
    try {
      createTemplateSet([{ file: 'sign_in.html', text }])
    } catch (err) {
      assert.ok(err instanceof TemplateError)
      return err.message
    }
    return 'no error'
  }
  const cases: [string, string, string][] = [
    ['undefined function', 'a\n\n{{ upper .Name }}', 'sign_in.html:3: function "upper" not defined'],
    ['unclosed action', 'a\n{{ .Name ', 'sign_in.html:2: unclosed action'],
    ['missing end', '{{if .On}}\nx\n', 'sign_in.html:3: unexpected EOF in if'],
    ['stray end', 'x\n{{end}}', 'sign_in.html:2: unexpected {{end}}'],
    ['stray else', '{{else}}', 'sign_in.html:1: unexpected {{else}}'],
    ['undefined variable', '{{$x}}', 'sign_in.html:1: undefined variable "$x"'],
    ['unterminated string', '\n{{ "abc }}', 'sign_in.html:2: unterminated quoted string'],
    ['unclosed comment', '{{/* x', 'sign_in.html:1: unclosed comment'],
    ['arguments to a field', '{{.Name "x"}}', 'sign_in.html:1: can\'t give argument to non-function .Name'],
    ['two elses', '{{if .On}}a{{else}}b{{else}}c{{end}}', 'sign_in.html:1: expected end; found {{else}}'],
    ['break outside range', '{{break}}', 'sign_in.html:1: {{break}} outside {{range}}'],
    ['bad character', '{{ .Name ; }}', 'sign_in.html:1: unexpected ";" in command'],
  ]
  for (const [name, text, want] of cases) it(name, () => assert.equal(parseError(text), want))

  const shape: Shape = {
    kind: 'struct',
    name: 'the sign-in page data',
    fields: { ProviderName: { kind: 'string' }, Footer: { kind: 'html' }, CustomLogin: { kind: 'bool' } },
  }
  function checkError(text: string): string {
    const set = createTemplateSet([{ file: 'sign_in.html', text }])
    try {
      set.check('sign_in.html', shape)
    } catch (err) {
      assert.ok(err instanceof TemplateError)
      return err.message
    }
    return 'no error'
  }
  it('a misspelt field, with the fields there are', () => {
    assert.equal(checkError('<p>\n{{.ProviderNmae}}</p>'), "sign_in.html:2: can't evaluate field ProviderNmae in type the sign-in page data (its fields: ProviderName, Footer, CustomLogin)")
  })
  it('fields are checked in branches that do not run, through with, variables and template calls', () => {
    assert.match(checkError('{{if false}}{{.Nope}}{{end}}'), /field Nope/)
    assert.equal(checkError('{{with .ProviderName}}{{.X}}{{end}}'), "sign_in.html:1: can't evaluate field X in type string")
    assert.match(checkError('{{$d := .}}{{$d.Missing}}'), /field Missing/)
    assert.match(checkError('{{define "f"}}{{.Gone}}{{end}}{{template "f" .}}'), /sign_in.html:1: can't evaluate field Gone/)
    assert.equal(checkError('{{template "nope" .}}'), 'sign_in.html:1: no such template "nope"')
    assert.equal(checkError('{{range .CustomLogin}}{{end}}'), "sign_in.html:1: range can't iterate over a value of type bool")
    assert.equal(checkError('{{if .CustomLogin}}{{.ProviderName}}{{end}}{{.Footer}}'), 'no error')
  })
  it('run-time errors carry the line too', () => {
    assert.throws(() => render('\n{{index .List 5}}'), { message: 't.html:2: error calling index: index out of range: 5' })
    assert.throws(() => render('{{eq .Count "3"}}'), { message: 't.html:1: error calling eq: incompatible types for comparison' })
    assert.throws(() => render('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}'), /exceeded maximum template depth/)
  })
})

describe('Go template engine: template sets', () => {
  it('a {{define}} with the file\'s name is the page; its blank top level does not replace it', () => {
    const set = createTemplateSet([{ file: 'sign_in.html', text: '{{define "sign_in.html"}}page {{.}}{{end}}\n' }])
    assert.equal(set.render('sign_in.html', 'x'), 'page x')
  })
  it('one file may call what another defines', () => {
    const set = createTemplateSet([
      { file: 'sign_in.html', text: '{{define "brand"}}<b>{{.}}</b>{{end}}{{template "brand" "A"}}' },
      { file: 'error.html', text: 'E {{template "brand" "B"}}' },
    ])
    assert.equal(set.render('error.html', null), 'E <b>B</b>')
  })
})
