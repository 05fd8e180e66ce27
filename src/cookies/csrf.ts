import { openSignedValue, signValue } from '../crypto/signed-value.js'
import { safeEqual } from '../crypto/equal.js'
import { openCsrf, sealCsrf } from '../session/csrf-codec.js'
import { hashToken, type LoginStart } from '../auth/login.js'
import type { CookieJar } from './jar.js'

export interface CsrfContents {
  stateNonce: Buffer
  oidcNonce: Buffer
  codeVerifier: string | undefined
  /** The provider the login went to; undefined: the first provider (one provider, or a cookie from before). */
  providerId: string | undefined
  /** When the cookie was signed, in seconds; the per-request limit clears the oldest first. */
  issuedAt: number
}

/** The CSRF cookie of oauth2-proxy (reference §4.6): binds the IdP's answer to the browser that started the login. */
export function createCsrfCookies(options: { jar: CookieJar; hmacKey: Buffer; aesKey: Buffer; perRequest: boolean; perRequestLimit: number }) {
  const { jar } = options
  const base = jar.options.name

  /** `<name>_csrf`, or `<name>_<8 chars of the state hash>_csrf` with per-request CSRF cookies. */
  function nameFor(stateHash: string): string {
    return options.perRequest ? `${base}_${stateHash.slice(0, 8)}_csrf` : `${base}_csrf`
  }

  function isCsrfName(n: string): boolean {
    return n === `${base}_csrf` || (n.startsWith(`${base}_`) && n.endsWith('_csrf') && n.length === base.length + 14)
  }

  return {
    /** Set-Cookie values for a new login (`providerId` only with several providers): the CSRF cookie, plus deletions of the oldest ones past the limit. */
    issue(login: LoginStart, cookies: Readonly<Record<string, string>>, host: string, now: number, providerId?: string): string[] {
      const name = nameFor(hashToken(login.stateNonce))
      const payload = sealCsrf(
        { stateNonce: login.stateNonce, oidcNonce: login.oidcNonce, ...(login.codeVerifier === undefined ? {} : { codeVerifier: login.codeVerifier }), ...(providerId === undefined ? {} : { providerId }) },
        options.aesKey,
      )
      const out = [jar.csrf(name, signValue(name, payload, options.hmacKey, Math.floor(now / 1000)), host)]
      if (options.perRequest && options.perRequestLimit > 0) {
        const existing = Object.entries(cookies)
          .filter(([n]) => isCsrfName(n) && n !== name)
          .map(([n, v]) => ({ n, at: openSignedValue(n, v, options.hmacKey, 0, now)?.issuedAt ?? 0 }))
          .sort((a, b) => b.at - a.at)
        for (const old of existing.slice(Math.max(0, options.perRequestLimit - 1))) out.push(jar.clear(old.n, host))
      }
      return out
    },

    /** Opens the CSRF cookie named by the returned state; undefined when missing, tampered or older than `--cookie-csrf-expire`. */
    read(cookies: Readonly<Record<string, string>>, stateHash: string, now: number): { name: string; contents: CsrfContents } | undefined {
      const name = nameFor(stateHash)
      const value = cookies[name]
      if (value === undefined) return undefined
      const opened = openSignedValue(name, value, options.hmacKey, jar.options.csrfExpireMs, now)
      if (opened === undefined) return undefined
      const contents = openCsrf(opened.payload, options.aesKey)
      if (contents === undefined) return undefined
      return { name, contents: { stateNonce: contents.stateNonce, oidcNonce: contents.oidcNonce, codeVerifier: contents.codeVerifier, providerId: contents.providerId, issuedAt: opened.issuedAt } }
    },

    /** True when the state's hash matches the nonce in the cookie (constant-time). */
    matches(contents: CsrfContents, stateHash: string): boolean {
      return safeEqual(hashToken(contents.stateNonce), stateHash)
    },

    /** Names of every CSRF cookie the request carries (logged when none is valid). */
    names(cookies: Readonly<Record<string, string>>): string[] {
      return Object.keys(cookies).filter(isCsrfName)
    },

    clear(name: string, host: string): string {
      return jar.clear(name, host)
    },
  }
}

export type CsrfCookies = ReturnType<typeof createCsrfCookies>
