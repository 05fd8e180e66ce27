// The sign-in and error pages through the real process: oauth2-proxy-style templates from --custom-templates-dir,
// the logo, banner and footer options, and templates or logos that stop start-up with the file, line and reason.
import { strict as assert } from 'node:assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { REPO_ROOT, runGatehouse } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

const FIXTURES = join(REPO_ROOT, 'test/fixtures/templates')
const HTML = { accept: 'text/html' }

describe('--custom-templates-dir with oauth2-proxy-style sign_in.html and error.html', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack({ args: [`--custom-templates-dir=${join(FIXTURES, 'full')}`, '--provider-display-name=Acme SSO', '--banner=<b>Staff only</b>', '--footer=-'] })
  })
  after(() => stack?.close())

  it('renders the sign-in template with the page data, escaped for each context', async () => {
    const res = await stack.client().get(`${stack.proxy.url}/private?q=1&a=2`, { headers: HTML })
    assert.equal(res.status, 403)
    assert.match(String(res.header('content-type')), /^text\/html/)
    assert.match(res.body, /<body data-status="403">/)
    assert.match(res.body, /<h1 id="brand">acme sso \(8 characters\)<\/h1>/)
    assert.match(res.body, /<p id="message"><b>Staff only<\/b><\/p>/)
    assert.match(res.body, /<div id="logo"><svg [^>]*aria-label="gatehouse"/, 'the default logo as LogoData')
    assert.match(res.body, /<input type="hidden" name="rd" value="\/private\?q=1&amp;a=2">/)
    assert.match(res.body, /var redirect = "\/private\?q=1\\u0026a=2";/)
    assert.match(res.body, /<p id="no-password-form">/, 'CustomLogin is false without --htpasswd-file')
    assert.match(res.body, /<footer>\n<\/footer>/, '--footer=- leaves the footer empty')
  })

  it('serves robots.txt from the directory', async () => {
    const res = await stack.client().get(`${stack.proxy.url}/robots.txt`)
    assert.equal(res.status, 200)
    assert.equal(res.body, 'User-agent: *\nAllow: /public/\nDisallow: /\n')
  })

  it('signs in through the templated page', async () => {
    const { result } = await stack.signIn('alice', '/after')
    assert.equal(result.status, 302)
    assert.equal(new URL(result.finalUrl, stack.proxy.url).pathname, '/after')
  })

  it('renders the error template with status, title, message and request id; the IdP text stays escaped', async () => {
    const res = await stack.client().get(`${stack.proxy.url}/oauth2/callback?error=<script>alert(1)</script>&state=x`, { headers: HTML })
    assert.equal(res.status, 403)
    assert.match(res.body, /<title>403 Forbidden<\/title>/)
    assert.match(res.body, /<p id="message">Login Failed: The upstream identity provider returned an error: &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/p>/)
    assert.match(res.body, /<p id="request-id">Request ID: [0-9a-f-]{36}<\/p>/)
    assert.match(res.body, /<a id="again" href="\/oauth2\/sign_in\?rd=%2f">Sign in<\/a>/)
    assert.match(res.body, /<p id="kind">client error<\/p>/)
    assert.ok(!res.body.includes('<script>alert'))
  })
})

describe('a templates directory with only error.html, and the logo options', () => {
  let stack: Stack
  let logo: string
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logo-'))
    logo = join(dir, 'brand.png')
    writeFileSync(logo, Buffer.from('89504e470d0a1a0a', 'hex'))
    stack = await startStack({ args: [`--custom-templates-dir=${join(FIXTURES, 'error-only')}`, `--custom-sign-in-logo=${logo}`] })
  })
  after(() => stack?.close())

  it('uses the built-in sign-in page, with the logo inlined as a data URI', async () => {
    const res = await stack.client().get(`${stack.proxy.url}/oauth2/sign_in?rd=/x`, { headers: HTML })
    assert.equal(res.status, 200)
    assert.match(res.body, /<div class="logo"><img src="data:image\/png;base64,iVBORw0KGgo=" alt="Logo"><\/div>/)
    assert.match(res.body, /<form method="GET" action="\/oauth2\/start">/)
    assert.match(res.body, /Secured with gatehouse /)
    assert.equal((await stack.client().get(`${stack.proxy.url}/robots.txt`)).body, 'User-agent: *\nDisallow: /\n', 'the default robots.txt')
  })

  it('uses the error template for errors', async () => {
    const res = await stack.client().get(`${stack.proxy.url}/oauth2/callback?error=denied&state=x`, { headers: HTML })
    assert.equal(res.status, 403)
    assert.match(res.body, /<p id="only-error">403 Forbidden: Login Failed: The upstream identity provider returned an error: denied \([0-9a-f-]{36}\)<\/p>/)
  })
})

describe('bad templates and logos stop start-up with the config errors', () => {
  it('names the option, the directory, the file, the line and the reason, next to other config errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bad-templates-'))
    writeFileSync(join(dir, 'sign_in.html'), '<p>\n{{.ProviderNmae}}\n</p>')
    const r = await runGatehouse({ args: [`--custom-templates-dir=${dir}`, '--custom-sign-in-logo=/nowhere/logo.gif', '--cookie-secret=short'] })
    assert.equal(r.code, 1, r.logs)
    assert.match(r.logs, /invalid configuration:/)
    assert.ok(r.logs.includes(`--custom-templates-dir=${JSON.stringify(dir)}: template sign_in.html line 2: can't evaluate field ProviderNmae in type the sign-in page data (its fields: ProviderName,`), r.logs)
    assert.match(r.logs, /--custom-sign-in-logo="\/nowhere\/logo\.gif": unknown logo type "\.gif"/)
    assert.match(r.logs, /--cookie-secret/, 'reported together with the other problems')
  })

  it('reports a syntax error in the file parsed next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bad-templates-'))
    writeFileSync(join(dir, 'error.html'), '{{define "error.html"}}\n{{ if .Message }}\n')
    const r = await runGatehouse({ args: [`--custom-templates-dir=${dir}`, '--config-test'] })
    assert.equal(r.code, 1, r.logs)
    assert.match(r.logs, /template error\.html line 3: unexpected EOF in if/)
  })
})
