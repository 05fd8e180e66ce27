import { createHmac } from 'node:crypto'
import { decodeBase64Url, encodeBase64UrlPadded } from './base64.js'
import { safeEqual } from './equal.js'

/** oauth2-proxy accepts a signed timestamp up to five minutes in the future (clock skew). */
const FUTURE_SKEW_MS = 5 * 60 * 1000
/** Go's strconv.Atoi on 64-bit: optional sign, decimal digits. */
const TIMESTAMP = /^[+-]?\d{1,19}$/

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

function fitsInt64(decimal: string): boolean {
  const n = BigInt(decimal)
  return n >= INT64_MIN && n <= INT64_MAX
}

function signature(hmacKey: Buffer, name: string, encodedPayload: string, timestamp: string): Buffer {
  return createHmac('sha256', hmacKey).update(name, 'utf8').update(encodedPayload, 'utf8').update(timestamp, 'utf8').digest()
}

/**
 * oauth2-proxy's signed cookie value (reference §4.2): `B64U(payload)|unix seconds|B64U(HMAC-SHA256(name ‖ B64U(payload) ‖ seconds))`,
 * with padded URL-alphabet base64 and the HMAC keyed by the cookie secret as configured.
 */
export function signValue(name: string, payload: Buffer, hmacKey: Buffer, nowSec: number): string {
  const encoded = encodeBase64UrlPadded(payload)
  const timestamp = String(Math.floor(nowSec))
  return `${encoded}|${timestamp}|${encodeBase64UrlPadded(signature(hmacKey, name, encoded, timestamp))}`
}

/** The age rule of a signed value: signed within (now − expire, now + 5 min), or any time when `expireMs` is 0. */
export function isWithinAge(issuedAtSec: number, expireMs: number, nowMs: number): boolean {
  if (expireMs === 0) return true
  const issuedMs = issuedAtSec * 1000
  return issuedMs > nowMs - expireMs && issuedMs < nowMs + FUTURE_SKEW_MS
}

/**
 * Checks a signed cookie value (the signature in Go's strict padded form; the payload's padding may be missing) under the cookie's base name and returns its payload and signing time (Unix seconds),
 * or undefined when it is malformed, the signature differs (constant-time compare), or, when `expireMs` is not 0,
 * the timestamp is outside (now − expire, now + 5 min). Never throws.
 */
export function openSignedValue(name: string, cookieValue: string, hmacKey: Buffer, expireMs: number, nowMs: number): { payload: Buffer; issuedAt: number } | undefined {
  try {
    const parts = cookieValue.split('|')
    if (parts.length !== 3) return undefined
    const [encoded, timestamp, sig] = parts as [string, string, string]
    const given = decodeBase64Url(sig, true)
    if (given === undefined || !safeEqual(given, signature(hmacKey, name, encoded, timestamp))) return undefined
    if (!TIMESTAMP.test(timestamp) || !fitsInt64(timestamp)) return undefined
    const issuedAt = Number(timestamp)
    if (!isWithinAge(issuedAt, expireMs, nowMs)) return undefined
    const payload = decodeBase64Url(encoded)
    if (payload === undefined) return undefined
    return { payload, issuedAt }
  } catch {
    return undefined
  }
}
