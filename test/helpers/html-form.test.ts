import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { decodeEntities, parseForms } from './html-form.js'

test('reads an oidc-provider form_post page: absolute action, method, decoded hidden fields', () => {
  const html = `<form method="post" action="http://127.0.0.1:4180/oauth2/callback">
    <input type="hidden" name="code" value="a&amp;b"/>
    <input type="hidden" name="iss" value="http://127.0.0.1:9/x?y=&#39;1&#x27;"/>
    <noscript><button autofocus type="submit">Continue</button></noscript></form>`
  const [form] = parseForms(html, 'http://127.0.0.1:9/auth/abc')
  assert.ok(form)
  assert.equal(form.method, 'POST')
  assert.equal(form.action, 'http://127.0.0.1:4180/oauth2/callback')
  assert.deepEqual(form.fields, { code: 'a&b', iss: "http://127.0.0.1:9/x?y='1'" })
})

test('relative actions, GET default, checkboxes, selects, textareas, and skipped buttons', () => {
  const html = `<form action='/oauth2/start'>
    <input name=rd value="/app?x=1">
    <input type="checkbox" name="remember" checked>
    <input type="checkbox" name="off">
    <select name="pick"><option value="a">A</option><option value="b" selected>B</option></select>
    <textarea name="note">hi &lt;there&gt;</textarea>
    <input type="submit" name="go" value="Go">
    <input type="password" name="password">
  </form><form id="second" method="POST"></form>`
  const forms = parseForms(html, 'http://127.0.0.1:4180/oauth2/sign_in?x=1')
  assert.equal(forms.length, 2)
  const [first, second] = forms
  assert.equal(first?.method, 'GET')
  assert.equal(first?.action, 'http://127.0.0.1:4180/oauth2/start')
  assert.deepEqual(first?.fields, { rd: '/app?x=1', remember: 'on', pick: 'b', note: 'hi <there>', password: '' })
  assert.equal(first?.inputTypes.password, 'password')
  assert.ok(first?.inputNames.includes('go'))
  assert.equal(second?.id, 'second')
  assert.equal(second?.action, 'http://127.0.0.1:4180/oauth2/sign_in?x=1')
})

test('decodeEntities leaves unknown references alone', () => {
  assert.equal(decodeEntities('&amp;&quot;&#65;&#x42;&bogus;'), '&"AB&bogus;')
})
