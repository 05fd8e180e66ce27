// The built-in pages in headless Chromium: the docs screenshots come out at the docs size and stay small, keyboard
// focus is visible, and the page fits a phone screen without sideways scrolling.
import { strict as assert } from 'node:assert'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { createPages } from '../../src/http/pages.js'
import { launchBrowser } from '../helpers/browser.js'
import { takePageScreenshots, VIEWPORT } from '../helpers/screenshots.js'
import { startStack, type Stack } from '../helpers/stack.js'

/** Width and height from a PNG's IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path)
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${path} is a PNG`)
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

describe('docs screenshots of the pages', () => {
  it('writes the sign-in and error pages as PNGs at the docs viewport, a few tens of KB each', async () => {
    const shots = await takePageScreenshots(mkdtempSync(join(tmpdir(), 'gatehouse-shots-')))
    for (const path of [shots.signIn, shots.error]) {
      assert.deepEqual(pngSize(path), VIEWPORT)
      const size = statSync(path).size
      assert.ok(size > 5_000 && size < 80_000, `${path}: ${size} bytes`)
    }
  })
})

describe('the built-in pages in Chromium', () => {
  let stack: Stack
  let browser: Browser
  before(async () => {
    stack = await startStack()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await stack?.close()
  })

  it('declares the language and shows where keyboard focus is', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT })
    await page.goto(`${stack.proxy.url}/oauth2/sign_in`)
    assert.equal(await page.getAttribute('html', 'lang'), 'en')
    await page.keyboard.press('Tab')
    // (A string: the tests compile without the DOM library.)
    const focused = (await page.evaluate(`(() => {
      const el = document.activeElement
      const style = getComputedStyle(el)
      return { text: el.textContent, outline: style.outlineStyle, width: style.outlineWidth }
    })()`)) as { text: string | null; outline: string; width: string }
    assert.match(focused.text ?? '', /^Sign in with /)
    assert.equal(focused.outline, 'solid')
    assert.equal(focused.width, '3px')
    await page.close()
  })

  it('labels the user name and password fields of the htpasswd form', async () => {
    // The form appears with --htpasswd-file, which another change brings; the page itself is rendered here.
    const html = createPages({
      proxyPrefix: '/oauth2', providerName: 'Example SSO', banner: '', footer: '', emailDomains: ['*'], version: 't',
      showDebugOnError: false, customLogin: true, logoHtml: '',
    }).signIn('/app')
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } })
    await page.setContent(html)
    assert.equal(await page.getByLabel('User name').getAttribute('name'), 'username')
    assert.equal(await page.getByLabel('Password').getAttribute('type'), 'password')
    await page.getByLabel('User name').focus()
    assert.equal(await page.evaluate('document.activeElement.name + " " + getComputedStyle(document.activeElement).outlineStyle'), 'username solid')
    const { scroll, client } = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })')) as { scroll: number; client: number }
    assert.ok(scroll <= client, `scrollWidth ${scroll} > ${client}`)
    await page.close()
  })

  it('fits a phone screen: no sideways scrolling, the button as wide as the card', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } })
    for (const path of ['/oauth2/sign_in', '/oauth2/callback?error=access_denied&state=x']) {
      await page.goto(`${stack.proxy.url}${path}`)
      const { scroll, client } = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })')) as { scroll: number; client: number }
      assert.ok(scroll <= client, `${path}: scrollWidth ${scroll} > ${client}`)
    }
    await page.goto(`${stack.proxy.url}/oauth2/sign_in`)
    const card = await page.locator('main').boundingBox()
    const button = await page.locator('form[action="/oauth2/start"] button').boundingBox()
    assert.ok(card !== null && button !== null)
    assert.ok(button.width > card.width * 0.8, `button ${button.width}px in a ${card.width}px card`)
    await page.close()
  })
})
