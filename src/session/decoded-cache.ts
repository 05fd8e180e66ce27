import type { Session } from './session.js'

/** A decoded cookie session and the signing time it was checked against (Unix seconds). */
export interface CachedSession {
  session: Readonly<Session>
  issuedAt: number
  key: string
}

/**
 * The map key of a cookie value: its last characters, which are the value's HMAC signature (in both cookie formats
 * the signature ends the value). V8 hashes a string key character by character, and a session cookie is a kilobyte or
 * more, new on every request; the full value is compared on a hit (a fast memory comparison) instead. A forged value
 * that copies a real signature finds that entry, fails the comparison and is a miss: it is verified in full.
 */
const keyOf = (value: string): string => (value.length > KEY_CHARS * 2 ? value.slice(-KEY_CHARS) : value)
const KEY_CHARS = 32

/**
 * A bounded, approximately least-recently-used map from an exact signed cookie value to its decoded session. The same
 * bytes verify and decrypt to the same session every time, so only the age check has to be repeated on a hit; this
 * skips the HMAC, AES, LZ4 and msgpack work that otherwise dominates a signed-in request.
 * A hit moves its entry to the young end only once it has aged past half the capacity, so a busy session costs a
 * lookup, not a delete and a re-insert, per request; an entry in use is still moved long before it could be evicted.
 */
export function createDecodedSessionCache<V = CachedSession>(maxEntries: number) {
  const entries = new Map<string, { value: string; entry: V; seq: number }>()
  let seq = 0
  const renewAfter = Math.max(1, Math.floor(maxEntries / 2))
  return {
    get(value: string): V | undefined {
      const key = keyOf(value)
      const hit = entries.get(key)
      if (hit === undefined || hit.value !== value) return undefined
      if (seq - hit.seq >= renewAfter) {
        entries.delete(key)
        hit.seq = ++seq
        entries.set(key, hit)
      }
      return hit.entry
    },
    set(value: string, entry: V): void {
      const key = keyOf(value)
      entries.delete(key)
      entries.set(key, { value, entry, seq: ++seq })
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
    },
    delete(value: string): void {
      const key = keyOf(value)
      if (entries.get(key)?.value === value) entries.delete(key)
    },
    clear(): void {
      entries.clear()
    },
    get size(): number {
      return entries.size
    },
  }
}
