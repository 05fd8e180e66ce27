// The whole sign-in flow once in a real browser (headless Chromium through playwright-core): a protected page shows
// the sign-in page, its button leads to the development IdP, the IdP's form signs alice in, the browser lands back on
// the page it asked for (fragment included) and the echo page shows her identity; signing out ends the session.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { CHROMIUM_PATH, launchBrowser } from '../helpers/browser.js'
import { startStack, type Stack } from '../helpers/stack.js'

let stack: Stack
let browser: Browser
let context: BrowserContext
let page: Page
let url: string

before(async () => {
  stack = await startStack()
  url = stack.proxy.url
  try {
    browser = await launchBrowser()
  } catch (err) {
    throw new Error(`headless Chromium could not start (${CHROMIUM_PATH}); this test needs it: ${(err as Error).message}`)
  }
  context = await browser.newContext()
  page = await context.newPage()
  page.setDefaultTimeout(15_000)
})

after(async () => {
  await browser?.close()
  await stack?.close()
})

describe('sign-in in headless Chromium', () => {
  it('protected page → sign-in page → IdP form → back on the page with the identity → sign out', async () => {
    const target = `${url}/?tab=settings#profile`

    // 1. A protected page without a session: the sign-in page (403, as oauth2-proxy answers a browser).
    const first = await page.goto(target)
    assert.equal(first?.status(), 403)
    const button = page.locator('form[action="/oauth2/start"] button[type=submit]')
    assert.match((await button.textContent()) ?? '', /Sign in with/)

    // 2. The button leads to the IdP's login form (the page script added the fragment to rd).
    await Promise.all([page.waitForURL((u) => u.href.startsWith(stack.idp.issuer)), button.click()])
    assert.match((await page.textContent('body')) ?? '', /for development and tests only/)
    const csrf = (await context.cookies(url)).find((c) => c.name === '_oauth2_proxy_csrf')
    assert.ok(csrf !== undefined, 'the CSRF cookie was set on the way')

    // 3. Fill the form: the IdP sends the browser to the callback, which sends it back to the page.
    await page.fill('input[name=login]', 'alice')
    await page.fill('input[name=password]', 'alice-password')
    await Promise.all([page.waitForURL((u) => u.href.startsWith(`${url}/?`)), page.click('button[type=submit]')])
    assert.equal(page.url(), target, 'back on the page asked for, fragment included')

    // 4. The echo page shows what the upstream received: alice's identity headers.
    const text = (await page.textContent('body')) ?? ''
    assert.match(text, /Signed in as alice@example\.com/)
    assert.match(text, /X-Forwarded-Email\s*alice@example\.com/)
    assert.match(text, /X-Forwarded-User\s*alice/)
    const session = (await context.cookies(url)).find((c) => c.name === '_oauth2_proxy')
    assert.ok(session !== undefined, 'the session cookie is set')
    assert.equal(session.httpOnly, true)
    assert.equal(session.sameSite, 'Lax')
    assert.equal((await context.cookies(url)).find((c) => c.name === '_oauth2_proxy_csrf'), undefined, 'the CSRF cookie is gone after the callback')

    // A reload stays signed in without another trip to the IdP.
    const logins = stack.idp.stats.logins
    const again = await page.reload()
    assert.equal(again?.status(), 200)
    assert.equal(stack.idp.stats.logins, logins)

    // 5. Sign out from the echo page's link: the session cookie is deleted and "/" shows the sign-in page again.
    const signedOut = page.waitForResponse((r) => r.url().startsWith(`${url}/oauth2/sign_out`))
    await Promise.all([page.waitForURL(`${url}/`), page.click('a[href="/oauth2/sign_out"]')])
    assert.equal((await signedOut).status(), 302)
    assert.equal((await context.cookies(url)).find((c) => c.name === '_oauth2_proxy'), undefined, 'the session cookie is deleted')
    assert.match((await page.textContent('body')) ?? '', /Sign in with/)
    const api = await page.request.get(`${url}/private`, { headers: { accept: 'application/json' } })
    assert.equal(api.status(), 401, 'the browser is signed out')
  })
})
