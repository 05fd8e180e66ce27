import { createHmac } from 'node:crypto'
import { safeEqual } from '../crypto/equal.js'
import { randomBytes } from '../crypto/random.js'
import { openSignedValue, signValue } from '../crypto/signed-value.js'
import type { CookieJar } from './jar.js'

/** The form field that carries the token, in the built-in page and the one inserted into custom templates. */
export const FORM_TOKEN_FIELD = 'csrf_token'

/** A token for the page being rendered, and the cookie it is bound to when the browser needs a new one. */
export interface IssuedFormToken {
  token: string
  setCookies: string[]
}

/**
 * The htpasswd sign-in form's CSRF token (oauth2-proxy has none, so a cross-site page can sign a victim in as the
 * attacker: login CSRF). Double submit, signed: a random value lives in an HttpOnly cookie `<cookie-name>_signin_csrf`
 * signed with the cookie secret's HMAC key, and the form carries HMAC(key, value). A forged post has neither the
 * cookie's value (another site cannot read it) nor a way to compute the token from it.
 */
export function createFormTokens(options: { jar: CookieJar; hmacKey: Buffer }) {
  const { jar, hmacKey } = options
  const name = `${jar.options.name}_signin_csrf`

  function tokenFor(value: Buffer): string {
    return createHmac('sha256', hmacKey).update('gatehouse sign-in form token\0').update(value).digest('base64url')
  }

  /** The random value of a valid, unexpired cookie the request carries. */
  function current(cookies: Readonly<Record<string, string>>, now: number): Buffer | undefined {
    const raw = cookies[name]
    if (raw === undefined) return undefined
    return openSignedValue(name, raw, hmacKey, jar.options.csrfExpireMs, now)?.payload
  }

  return {
    name,

    /**
     * The token for a sign-in page. A valid cookie's value is kept (pages open in other tabs stay usable) and signed
     * again, so each page may be posted for `--cookie-csrf-expire` after it was rendered.
     */
    issue(cookies: Readonly<Record<string, string>>, host: string, now: number): IssuedFormToken {
      const value = current(cookies, now) ?? randomBytes(32)
      return { token: tokenFor(value), setCookies: [jar.csrf(name, signValue(name, value, hmacKey, Math.floor(now / 1000)), host)] }
    },

    /** True when the posted token matches the request's cookie (constant-time); false when either is missing or stale. */
    verify(cookies: Readonly<Record<string, string>>, posted: string | undefined, now: number): boolean {
      const value = current(cookies, now)
      if (value === undefined || posted === undefined || posted === '') return false
      return safeEqual(tokenFor(value), posted)
    },

    /** Set-Cookie that removes the cookie once the form has been used. */
    clear(host: string): string {
      return jar.clear(name, host)
    },
  }
}

export type FormTokens = ReturnType<typeof createFormTokens>
