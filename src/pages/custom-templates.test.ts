import { strict as assert } from 'node:assert'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { readPageTemplates, templatesProblem } from './custom-templates.js'
import { safeHtml } from './template/values.js'

const FIXTURES = new URL('../../test/fixtures/templates/', import.meta.url).pathname

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-templates-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

describe('--custom-templates-dir', () => {
  it('reads both pages written in oauth2-proxy\'s style and renders them with the page data', () => {
    const t = readPageTemplates(join(FIXTURES, 'full'))
    const page = t.signIn?.({
      ProviderName: 'Acme <SSO>', SignInMessage: safeHtml('<b>Staff</b>'), StatusCode: 403, CustomLogin: false, Redirect: '/app?x=1',
      Version: '1.2.3', ProxyPrefix: '/oauth2', Footer: safeHtml(''), LogoData: safeHtml('<svg></svg>'), CSRFToken: '',
    }) ?? ''
    assert.match(page, /<title>Sign in to Acme &lt;SSO&gt;<\/title>/)
    assert.match(page, /<h1 id="brand">acme &lt;sso&gt; \(10 characters\)<\/h1>/)
    assert.match(page, /<input type="hidden" name="rd" value="\/app\?x=1">/)
    assert.match(page, /<p id="no-password-form">/)
    assert.match(page, /href="\/oauth2\/sign_in\?rd=%2fapp%3fx%3d1"/)
    const error = t.error?.({ Title: 'Forbidden', Message: '<x>', ProxyPrefix: '/oauth2', StatusCode: 403, Redirect: 'javascript:alert(1)', RequestID: 'r', Footer: safeHtml('-'), Version: '1' }) ?? ''
    assert.match(error, /<p id="message">&lt;x&gt;<\/p>/)
    assert.match(error, /<a id="back" href="#ZgotmplZ">/)
    assert.match(error, /<footer><\/footer>/)
  })

  it('leaves a page without a file to the built-in one', () => {
    const t = readPageTemplates(join(FIXTURES, 'error-only'))
    assert.equal(t.signIn, undefined)
    assert.equal(typeof t.error, 'function')
    assert.deepEqual(readPageTemplates(dirWith({ 'other.html': 'x' })), {})
  })

  it('reports syntax errors, unknown functions and misspelt fields with file and line', () => {
    assert.equal(templatesProblem(dirWith({ 'sign_in.html': '<p>\n{{if .CustomLogin}}\n' })), 'template sign_in.html line 3: unexpected EOF in if')
    assert.equal(templatesProblem(dirWith({ 'error.html': '\n\n{{.Message | upper}}' })), 'template error.html line 3: function "upper" not defined')
    assert.equal(
      templatesProblem(dirWith({ 'error.html': '<p>{{.Status}}</p>' })),
      "template error.html line 1: can't evaluate field Status in type the error page data (its fields: Title, Message, ProxyPrefix, StatusCode, Redirect, RequestID, Footer, Version)",
    )
    // The sign-in page has no RequestID: a field of the other page is refused too.
    assert.match(templatesProblem(dirWith({ 'sign_in.html': '{{.RequestID}}' })) ?? '', /sign_in\.html line 1: can't evaluate field RequestID in type the sign-in page data/)
    // Failing only at run time (a comparison of a number and a string) is caught by rendering sample data at start.
    assert.equal(templatesProblem(dirWith({ 'error.html': '{{if eq .StatusCode "403"}}x{{end}}' })), 'template error.html line 1: error calling eq: incompatible types for comparison')
    assert.equal(templatesProblem(join(FIXTURES, 'full')), undefined)
  })

  it('refuses a directory that is not there or not a directory', () => {
    assert.equal(templatesProblem(join(FIXTURES, 'nope')), 'cannot read the templates directory: no such directory')
    const dir = dirWith({ 'file.txt': 'x' })
    assert.equal(templatesProblem(join(dir, 'file.txt')), 'cannot read the templates directory: it is not a directory')
    mkdirSync(join(dir, 'sign_in.html'))
    assert.deepEqual(readPageTemplates(dir), {}, 'a directory named sign_in.html is not a template')
  })
})
