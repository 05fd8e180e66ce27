import type { Session } from './session.js'

/** A decoded cookie session and the signing time it was checked against (Unix seconds). */
export interface CachedSession {
  session: Readonly<Session>
  issuedAt: number
  key: string
}

/**
 * A bounded, approximately least-recently-used map from an exact signed cookie value to its decoded session. The same
 * bytes verify and decrypt to the same session every time, so only the age check has to be repeated on a hit; this
 * skips the HMAC, AES, LZ4 and msgpack work that otherwise dominates a signed-in request.
 * A hit moves its entry to the young end only once it has aged past half the capacity, so a busy session costs a
 * lookup, not a delete and a re-insert, per request; an entry in use is still moved long before it could be evicted.
 */
export function createDecodedSessionCache<V = CachedSession>(maxEntries: number) {
  const entries = new Map<string, { entry: V; seq: number }>()
  let seq = 0
  const renewAfter = Math.max(1, Math.floor(maxEntries / 2))
  return {
    get(value: string): V | undefined {
      const hit = entries.get(value)
      if (hit === undefined) return undefined
      if (seq - hit.seq >= renewAfter) {
        entries.delete(value)
        hit.seq = ++seq
        entries.set(value, hit)
      }
      return hit.entry
    },
    set(value: string, entry: V): void {
      entries.delete(value)
      entries.set(value, { entry, seq: ++seq })
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
    },
    delete(value: string): void {
      entries.delete(value)
    },
    clear(): void {
      entries.clear()
    },
    get size(): number {
      return entries.size
    },
  }
}
