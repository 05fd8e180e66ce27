import { createHash } from 'node:crypto'
import type { CookieJar } from '../cookies/jar.js'
import { attributeText } from '../cookies/jar.js'
import { joinCookie, splitCookie } from '../cookies/chunk.js'
import { isWithinAge, openSignedValue, signValue } from '../crypto/signed-value.js'
import { createDecodedSessionCache } from './decoded-cache.js'
import { openCookieSession, sealCookieSession } from './session-codec.js'
import type { Session } from './session.js'
import { sessionCookieNames, type LoadResult, type SessionStore } from './store.js'

export interface CookieStoreOptions {
  jar: CookieJar
  hmacKey: Buffer
  aesKey: Buffer
  /** `--session-cookie-minimal`: keep tokens out of the cookie. */
  minimal: boolean
}

/** Decoded sessions kept in memory: about 2 KB each, so a few MB at most. */
const DECODED_CACHE_ENTRIES = 4096

/** The session lives in the cookie itself, in oauth2-proxy's byte format (reference §4.2–4.4). */
export function createCookieStore(options: CookieStoreOptions): SessionStore {
  const { jar, hmacKey, aesKey } = options
  const name = jar.options.name
  const decoded = createDecodedSessionCache(DECODED_CACHE_ENTRIES)

  function clearAll(cookies: Readonly<Record<string, string>>, host: string, keep: ReadonlySet<string> = new Set()): string[] {
    return sessionCookieNames(cookies, name).filter((n) => !keep.has(n)).map((n) => jar.clear(n, host))
  }

  return {
    load(cookies, now): LoadResult {
      const value = joinCookie(name, cookies)
      if (value === undefined) return { kind: 'none' }
      const cached = decoded.get(value)
      if (cached !== undefined) {
        if (isWithinAge(cached.issuedAt, jar.options.expireMs, now)) return { kind: 'ok', session: cached.session, key: cached.key }
        decoded.delete(value)
        return { kind: 'invalid', reason: 'signature or age check failed' }
      }
      const opened = openSignedValue(name, value, hmacKey, jar.options.expireMs, now)
      if (opened === undefined) return { kind: 'invalid', reason: 'signature or age check failed' }
      const session = openCookieSession(opened.payload, aesKey)
      if (session === undefined) return { kind: 'invalid', reason: 'session could not be decrypted' }
      const key = createHash('sha256').update(value).digest('base64url')
      decoded.set(value, { session: Object.freeze(session), issuedAt: opened.issuedAt, key })
      return { kind: 'ok', session, key }
    },

    async save(cookies, session, host, now) {
      const stored: Session = options.minimal ? { ...session, accessToken: undefined, idToken: undefined, refreshToken: undefined } : session
      const createdAt = session.createdAt?.getTime() ?? now
      const value = signValue(name, sealCookieSession(stored, aesKey), hmacKey, Math.floor(createdAt / 1000))
      const probe = jar.session(name, value, host)
      const parts = splitCookie(name, value, attributeText(probe))
      const written = parts.map((p) => jar.session(p.name, p.value, host))
      return [...clearAll(cookies, host, new Set(parts.map((p) => p.name))), ...written]
    },

    async clear(cookies, host) {
      return clearAll(cookies, host)
    },

    async ping() {},
    async close() {},
  }
}
