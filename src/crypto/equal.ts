import { timingSafeEqual } from 'node:crypto'

/**
 * Compares two secrets in constant time. Strings compare by their UTF-8 bytes; a length mismatch returns false
 * after a same-length dummy compare, so timing reveals at most the lengths, never the content.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b
  if (left.length !== right.length) {
    timingSafeEqual(left, left)
    return false
  }
  return timingSafeEqual(left, right)
}
