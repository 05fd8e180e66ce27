// The htpasswd sign-in form in headless Chromium: the built-in page and an oauth2-proxy-style custom sign_in.html
// (which has no token field of its own) both sign a user in, and a cross-site page that posts the same user name and
// password to /oauth2/sign_in (login CSRF) is refused and leaves no session.
import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext } from 'playwright-core'
import { bcryptHash } from '../../src/crypto/bcrypt.js'
import { launchBrowser } from '../helpers/browser.js'
import { listenOnLoopback, type LoopbackServer } from '../helpers/loopback-server.js'
import { REPO_ROOT } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

describe('htpasswd sign-in form in Chromium', () => {
  let dir: string
  let file: string
  let browser: Browser
  const stacks: Stack[] = []
  let attacker: LoopbackServer

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-htpasswd-browser-'))
    file = join(dir, 'users.htpasswd')
    writeFileSync(file, `mallory:${await bcryptHash('mallory-pw', 4)}\n`)
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await Promise.allSettled(stacks.map((s) => s.close()))
    await attacker?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function stackWith(args: string[]): Promise<Stack> {
    const stack = await startStack({ args: [`--htpasswd-file=${file}`, ...args] })
    stacks.push(stack)
    return stack
  }

  async function signInThroughPage(context: BrowserContext, stack: Stack, form: string): Promise<string> {
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`${stack.proxy.url}/oauth2/sign_in?rd=%2Fwelcome`)
    await page.fill(`${form} input[name=username]`, 'mallory')
    await page.fill(`${form} input[type=password]`, 'mallory-pw')
    await Promise.all([page.waitForURL(`${stack.proxy.url}/welcome`), page.click(`${form} button[type=submit]`)])
    const text = (await page.textContent('body')) ?? ''
    await page.close()
    return text
  }

  it('signs in through the built-in form', async () => {
    const stack = await stackWith([])
    const context = await browser.newContext()
    assert.match(await signInThroughPage(context, stack, 'form.login'), /"x-forwarded-user":"mallory"/)
    const cookies = await context.cookies(stack.proxy.url)
    assert.ok(cookies.some((c) => c.name === '_oauth2_proxy'), 'a session cookie')
    assert.ok(!cookies.some((c) => c.name === '_oauth2_proxy_signin_csrf'), 'the form cookie is spent')
    await context.close()
  })

  it("signs in through an oauth2-proxy-style custom sign_in.html that never mentions the token", async () => {
    const stack = await stackWith([`--custom-templates-dir=${join(REPO_ROOT, 'test/fixtures/templates/full')}`])
    const context = await browser.newContext()
    assert.match(await signInThroughPage(context, stack, '#password-form'), /"x-forwarded-user":"mallory"/)
    await context.close()
  })

  it('refuses a cross-site page that posts the credentials to /oauth2/sign_in', async () => {
    const stack = stacks[0] as Stack
    // The attacker's page, on another site (localhost, not 127.0.0.1), submits the form as soon as it loads.
    attacker = await listenOnLoopback(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><form method="POST" action="${stack.proxy.url}/oauth2/sign_in">
<input name="username" value="mallory"><input name="password" value="mallory-pw"><input name="rd" value="/welcome">
</form><script>document.forms[0].submit()</script>`)
      }),
    )
    const context = await browser.newContext()
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    // The victim has opened the sign-in page before: their browser holds a form cookie, which must not help.
    await page.goto(`${stack.proxy.url}/oauth2/sign_in`)
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${stack.proxy.url}/oauth2/sign_in`) && r.request().method() === 'POST'),
      page.goto(`http://localhost:${attacker.port}/`),
    ])
    assert.equal(answer.status(), 403)
    await page.waitForLoadState()
    assert.ok(!(await context.cookies(stack.proxy.url)).some((c) => c.name === '_oauth2_proxy'), 'no session was set')
    await context.close()
  })
})
