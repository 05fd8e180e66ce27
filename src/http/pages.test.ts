import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { createPages, withFormToken, type PageOptions } from './pages.js'

const base: PageOptions = {
  proxyPrefix: '/oauth2', providerName: 'Acme <SSO>', banner: '', footer: '', emailDomains: ['example.com'], version: '1.2.3',
  showDebugOnError: false, customLogin: false, logoHtml: '<svg role="img" aria-label="gatehouse"></svg>',
}

describe('built-in sign-in page', () => {
  it('is a self-contained, labelled document with the start form carrying rd', () => {
    const html = createPages(base).signIn('/app?x=1&y="2"')
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/)
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/)
    assert.ok(!/<link\b|<script src|url\(/i.test(html), 'no external asset')
    assert.match(html, /<form method="GET" action="\/oauth2\/start">\n<input type="hidden" name="rd" value="\/app\?x=1&amp;y=&quot;2&quot;">/)
    assert.match(html, /<button type="submit" class="button">Sign in with Acme &lt;SSO&gt;<\/button>/)
    assert.match(html, /<div class="logo"><svg role="img" aria-label="gatehouse"><\/svg><\/div>/)
    assert.match(html, /:focus-visible\{outline:3px solid/)
  })

  it('shows the default banner from the email domains, a raw-HTML banner, or none with "-"', () => {
    assert.match(createPages(base).signIn('/'), /<p class="banner">Authenticate using example\.com<\/p>/)
    assert.match(createPages({ ...base, banner: '<b>Staff only</b>' }).signIn('/'), /<p class="banner"><b>Staff only<\/b><\/p>/)
    assert.ok(!createPages({ ...base, banner: '-' }).signIn('/').includes('class="banner"'))
    assert.ok(!createPages({ ...base, emailDomains: ['*'] }).signIn('/').includes('class="banner"'))
  })

  it('shows the version footer by default, a raw-HTML footer, or none with "-"', () => {
    assert.match(createPages(base).signIn('/'), /<footer><p>Secured with gatehouse 1\.2\.3<\/p><\/footer>/)
    assert.match(createPages({ ...base, footer: '<a href="/help">Help</a>' }).signIn('/'), /<footer><p><a href="\/help">Help<\/a><\/p><\/footer>/)
    assert.ok(!createPages({ ...base, footer: '-' }).signIn('/').includes('<footer>'))
  })

  it('shows no logo when there is none', () => {
    assert.ok(!createPages({ ...base, logoHtml: '' }).signIn('/').includes('class="logo"'))
  })

  it('shows the user name / password form posting to <prefix>/sign_in only with customLogin', () => {
    assert.ok(!createPages(base).signIn('/').includes('name="password"'))
    const html = createPages({ ...base, customLogin: true }).signIn('/x?a=<b>')
    assert.match(html, /<form method="POST" action="\/oauth2\/sign_in" class="login">\n<input type="hidden" name="csrf_token" value="">\n<input type="hidden" name="rd" value="\/x\?a=&lt;b&gt;">/)
    assert.match(html, /<label for="username">User name<\/label>\n<input type="text" id="username" name="username" autocomplete="username"/)
    assert.match(html, /<label for="password">Password<\/label>\n<input type="password" id="password" name="password" autocomplete="current-password" required>/)
  })
})

describe('the sign-in form token', () => {
  it('is a hidden field of the built-in password form', () => {
    const html = createPages({ ...base, customLogin: true }).signIn('/', 200, 'tok_en-1')
    assert.match(html, /<form method="POST" action="\/oauth2\/sign_in" class="login">\n<input type="hidden" name="csrf_token" value="tok_en-1">/)
  })

  it('is inserted into every POST form of a custom page, never into GET forms, unless the page names it', () => {
    const page = '<form method="GET" action="/oauth2/start"></form><FORM id=a Method=post action="/oauth2/sign_in"><input name="username"></FORM><form method=\'POST\'></form>'
    const out = withFormToken(page, 't"1')
    assert.equal(out, '<form method="GET" action="/oauth2/start"></form><FORM id=a Method=post action="/oauth2/sign_in"><input type="hidden" name="csrf_token" value="t&quot;1"><input name="username"></FORM><form method=\'POST\'><input type="hidden" name="csrf_token" value="t&quot;1"></form>')
    const placed = '<form method="post"><input type="hidden" name="csrf_token" value="x"></form>'
    assert.equal(withFormToken(placed, 'y'), placed)
    assert.equal(withFormToken('<form data-method="post" method="get"></form>', 'y'), '<form data-method="post" method="get"></form>')
  })
})

describe('built-in error page', () => {
  it('shows status, reason, request id and links back to rd and the sign-in page', () => {
    const html = createPages(base).error(403, 'req-1', '/app?x=1')
    assert.match(html, /<title>403 Forbidden<\/title>/)
    assert.match(html, /<p class="status">403<\/p>\n<h1>Forbidden<\/h1>\n<p>You do not have permission to access this resource\.<\/p>/)
    assert.match(html, /<a class="button secondary" href="\/app\?x=1">Go back<\/a>/)
    assert.match(html, /<a class="button" href="\/oauth2\/sign_in\?rd=%2Fapp%3Fx%3D1">Sign in<\/a>/)
    assert.match(html, /<p class="meta">Request ID: req-1<\/p>/)
    assert.ok(!html.includes('javascript:'))
  })

  it('never shows the internal message unless --show-debug-on-error, and escapes what it shows', () => {
    const hidden = createPages(base).error(500, 'r', '/', undefined, 'db password wrong')
    assert.ok(!hidden.includes('db password'))
    assert.match(hidden, /Oops! Something went wrong/)
    const shown = createPages({ ...base, showDebugOnError: true }).error(500, 'r', '/', undefined, '<script>x</script>')
    assert.match(shown, /<p class="debug">&lt;script&gt;x&lt;\/script&gt;<\/p>/)
    assert.match(createPages(base).error(403, 'r', '/', 'Login Failed: <b>no</b>'), /<p>Login Failed: &lt;b&gt;no&lt;\/b&gt;<\/p>/)
  })

  it('titles the page with Go\'s status text, as oauth2-proxy does', () => {
    assert.match(createPages(base).error(413, 'r', '/'), /<h1>Request Entity Too Large<\/h1>/)
    assert.match(createPages(base).error(502, 'r', '/'), /<h1>Bad Gateway<\/h1>\n<p>The application behind this proxy could not be reached\.<\/p>/)
  })

  it('links only to local paths or http(s) URLs, else to /', () => {
    for (const bad of ['javascript:alert(1)', '//evil.example/', '/\\evil.example', 'data:text/html,x']) {
      const html = createPages(base).error(401, 'r', bad)
      assert.match(html, /href="\/">Go back/, bad)
      assert.ok(!html.includes('evil') && !html.includes('javascript:') && !html.includes('data:'), bad)
    }
    assert.match(createPages(base).error(401, 'r', 'https://app.example.com/x'), /href="https:\/\/app\.example\.com\/x">Go back/)
  })
})
