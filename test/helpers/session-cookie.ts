// Reads the session a test client holds, with the stack's cookie secret, exactly as the proxy opens its cookie.
import { strict as assert } from 'node:assert'
import { joinCookie } from '../../src/cookies/chunk.js'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { openSignedValue } from '../../src/crypto/signed-value.js'
import { openCookieSession } from '../../src/session/session-codec.js'
import type { Session } from '../../src/session/session.js'
import type { HttpClient } from './http.js'

/** The session in `client`'s `_oauth2_proxy` cookie for `proxyUrl`; fails the test when there is none or it does not open. */
export function sessionInCookie(client: HttpClient, proxyUrl: string, cookieSecret: string): Session {
  const cookies: Record<string, string> = {}
  for (const c of client.jar.list(proxyUrl)) cookies[c.name] = c.value
  const value = joinCookie('_oauth2_proxy', cookies)
  assert.ok(value !== undefined, 'the client holds a session cookie')
  const { hmacKey, aesKey } = cookieSecretKeys(cookieSecret)
  const opened = openSignedValue('_oauth2_proxy', value, hmacKey, 7 * 24 * 3600 * 1000, Date.now())
  assert.ok(opened !== undefined, 'the cookie verifies')
  const session = openCookieSession(opened.payload, aesKey)
  assert.ok(session !== undefined, 'the cookie decrypts')
  return session
}
