// Screenshots of the sign-in page and an error page in headless Chromium, for docs/images/ (npm run
// docs:screenshots) and for the test that checks them. Runs the real process against the development IdP.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { launchBrowser } from './browser.js'
import { startStack } from './stack.js'

/** The size docs show the pages at. */
export const VIEWPORT = { width: 1000, height: 700 }

/** What was written: one PNG per page. */
export interface Screenshots {
  signIn: string
  error: string
}

/** Starts a stack with a banner, opens both pages at the docs viewport and saves them as PNGs in `dir`. */
export async function takePageScreenshots(dir: string): Promise<Screenshots> {
  mkdirSync(dir, { recursive: true })
  const stack = await startStack({ args: ['--provider-display-name=Example SSO', '--banner=Sign in with your <b>example.com</b> account'] })
  const browser = await launchBrowser()
  try {
    const page = await browser.newPage({ viewport: VIEWPORT, colorScheme: 'light', deviceScaleFactor: 1 })
    const out: Screenshots = { signIn: join(dir, 'sign-in-page.png'), error: join(dir, 'error-page.png') }
    await page.goto(`${stack.proxy.url}/oauth2/sign_in?rd=/dashboard`)
    await page.screenshot({ path: out.signIn })
    // The error a user sees when the IdP refuses the login (the callback with ?error=).
    await page.goto(`${stack.proxy.url}/oauth2/callback?error=access_denied&state=x`)
    await page.screenshot({ path: out.error })
    return out
  } finally {
    await browser.close()
    await stack.close()
  }
}
