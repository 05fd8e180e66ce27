// A full sign-in, refresh, refusal, error and sign-out flow against a stack started with --cookie-refresh=1s and
// offline_access, returning every secret the flow handled so a test can grep the logs for them.
import { strict as assert } from 'node:assert'
import { joinCookie } from '../../src/cookies/chunk.js'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { openSignedValue } from '../../src/crypto/signed-value.js'
import { openCookieSession } from '../../src/session/session-codec.js'
import type { HttpClient } from './http.js'
import type { Stack } from './stack.js'

/** Stack flags the flow needs. */
export const LOG_FLOW_ARGS = ['--cookie-refresh=1s', '--scope=openid email profile offline_access']

function sessionSecrets(stack: Stack, client: HttpClient): string[] {
  const cookies: Record<string, string> = {}
  for (const c of client.jar.list(stack.proxy.url)) cookies[c.name] = c.value
  const value = joinCookie('_oauth2_proxy', cookies)
  assert.ok(value !== undefined, 'the client holds a session cookie')
  const { hmacKey, aesKey } = cookieSecretKeys(stack.cookieSecret)
  const opened = openSignedValue('_oauth2_proxy', value, hmacKey, 7 * 24 * 3600 * 1000, Date.now())
  assert.ok(opened !== undefined, 'the cookie verifies')
  const session = openCookieSession(opened.payload, aesKey)
  assert.ok(session !== undefined, 'the cookie decrypts')
  assert.ok(session.accessToken && session.refreshToken, 'the session holds an access and a refresh token')
  const tokens = [session.accessToken, session.idToken, session.refreshToken].filter((t): t is string => typeof t === 'string' && t !== '')
  // The signature part of a JWT alone is as secret as the whole token.
  const parts = tokens.flatMap((t) => t.split('.').filter((p, i) => i === 2 && p.length >= 16))
  return [value, ...Object.values(cookies).filter((v) => v.length >= 16), ...tokens, ...parts]
}

/** Runs the flow; returns the secrets seen (cookie values, tokens, code, client and cookie secrets). */
export async function runLogFlow(stack: Stack): Promise<string[]> {
  const url = stack.proxy.url
  const secrets = ['gatehouse-secret', stack.cookieSecret]
  const { client, result } = await stack.signIn('alice', '/start?x=1')
  assert.equal(result.status, 302)
  for (const step of result.steps) {
    const code = new URL(step.url).searchParams.get('code')
    if (code !== null && step.url.includes('/oauth2/callback')) secrets.push(code)
  }
  assert.ok(secrets.length > 2, 'the authorization code was seen')
  secrets.push(...sessionSecrets(stack, client))
  assert.equal((await client.get(`${url}/page`)).status, 200)
  // Past --cookie-refresh: the next request refreshes the session with the refresh token.
  await new Promise((r) => setTimeout(r, 2100))
  const refreshed = await client.get(`${url}/after-refresh`)
  assert.equal(refreshed.status, 200)
  assert.ok(refreshed.setCookies.some((c) => c.startsWith('_oauth2_proxy=')), 'the session was refreshed')
  secrets.push(...sessionSecrets(stack, client))
  // Refused by policy, a provider error, a forged callback and a forged cookie.
  assert.equal((await client.get(`${url}/oauth2/auth?allowed_emails=bob@example.com`)).status, 403)
  assert.equal((await stack.client().get(`${url}/oauth2/callback?error=access_denied&state=x`)).status, 403)
  assert.equal((await stack.client().get(`${url}/oauth2/callback?code=forged-code-value&state=forged`)).status, 403)
  const forged = await stack.client().get(`${url}/api`, { headers: { cookie: '_oauth2_proxy=forged-cookie-value', accept: 'application/json' } })
  assert.ok(forged.status === 401 || forged.status === 302 || forged.status === 403, String(forged.status))
  assert.equal((await client.get(`${url}/oauth2/sign_out`)).status, 302)
  return secrets
}

/** Fails when any secret occurs in the logs. */
export function assertNoSecrets(logs: string, secrets: readonly string[]): void {
  for (const secret of secrets) assert.ok(!logs.includes(secret), `a secret (${secret.slice(0, 6)}…, ${secret.length} chars) appears in the logs`)
}
