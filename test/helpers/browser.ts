// Headless Debian Chromium through playwright-core, for end-to-end tests of real browser flows.
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * Launches headless Chromium. Each launch gets a fresh temporary profile (playwright's default for
 * `launch`), so no cookies or storage carry over between tests. Close it with `browser.close()`.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
