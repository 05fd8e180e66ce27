import type { Session } from './session.js'

/** A decoded cookie session and the signing time it was checked against (Unix seconds). */
export interface CachedSession {
  session: Readonly<Session>
  issuedAt: number
  key: string
}

/**
 * A bounded, least-recently-used map from an exact signed cookie value to its decoded session. The same bytes verify
 * and decrypt to the same session every time, so only the age check has to be repeated on a hit; this skips the HMAC,
 * AES, LZ4 and msgpack work that otherwise dominates a signed-in request.
 */
export function createDecodedSessionCache(maxEntries: number) {
  const entries = new Map<string, CachedSession>()
  return {
    get(value: string): CachedSession | undefined {
      const hit = entries.get(value)
      if (hit !== undefined) {
        entries.delete(value)
        entries.set(value, hit)
      }
      return hit
    },
    set(value: string, entry: CachedSession): void {
      entries.set(value, entry)
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
    },
    delete(value: string): void {
      entries.delete(value)
    },
    get size(): number {
      return entries.size
    },
  }
}
