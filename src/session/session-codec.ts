import { Encoder } from '@msgpack/msgpack'
import { cfbDecrypt, cfbEncrypt } from '../crypto/aes-cfb.js'
import { ProxyError } from '../errors.js'
import { badMsgpack, decodeFirst, isMap, readBytes, readText, readTextList, readTime } from './codec/msgpack-read.js'
import { createTimeCodec, GO_ZERO_TIME_MS } from './codec/msgpack-time.js'
import { decodeLz4Frame, encodeLz4Frame } from './lz4-frame.js'
import type { Session } from './session.js'

const encoder = new Encoder({ extensionCodec: createTimeCodec(), ignoreUndefined: true })
/** Claims nest JSON; anything deeper than this is not from an IdP. */
const MAX_CLAIM_DEPTH = 64

function isSetTime(date: Date | undefined): date is Date {
  return date instanceof Date && !Number.isNaN(date.getTime()) && date.getTime() !== GO_ZERO_TIME_MS
}

/**
 * Claims as Go holds them after `json.Decoder.UseNumber`: numbers are `json.Number`, which msgpack writes as str.
 * undefined, functions and symbols are dropped (null inside arrays), as JSON would.
 */
function claimValue(value: unknown, depth: number): unknown {
  if (depth > MAX_CLAIM_DEPTH) throw new ProxyError('ERR_INTERNAL', 500, 'session claims are nested too deeply')
  switch (typeof value) {
    case 'number':
      return String(value)
    case 'bigint':
      return value.toString()
    case 'string':
    case 'boolean':
      return value
    case 'object':
      if (value === null || value instanceof Uint8Array) return value
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value
      if (Array.isArray(value)) return value.map((item) => claimValue(item, depth + 1) ?? null)
      return claimMap(value as Record<string, unknown>, depth + 1)
    default:
      return undefined
  }
}

function claimMap(claims: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(claims)) {
    // A "__proto__" claim could not be assigned as data here, and msgpack readers refuse the key: drop it.
    if (key === '__proto__') continue
    const converted = claimValue(value, depth)
    if (converted !== undefined) out[key] = converted
  }
  return out
}

/**
 * MessagePack of a session exactly as oauth2-proxy's vmihailenco/msgpack v5 writes SessionState (reference §4.3):
 * a map with keys ca, eo, at, it, rt, n, e, u, g, pu, ac in that order, empty fields omitted, times as ext −1;
 * then gatehouse's own xs (sid), xi (signed in), xl (last use) and `pid` (the provider id, only when several providers
 * are configured), which Go's decoder skips as unknown fields.
 */
export function encodeSessionMsgpack(s: Session): Uint8Array {
  const m: Record<string, unknown> = {}
  if (isSetTime(s.createdAt)) m.ca = s.createdAt
  if (isSetTime(s.expiresOn)) m.eo = s.expiresOn
  if (s.accessToken) m.at = s.accessToken
  if (s.idToken) m.it = s.idToken
  if (s.refreshToken) m.rt = s.refreshToken
  if (s.nonce !== undefined && s.nonce.length > 0) m.n = s.nonce
  if (s.email) m.e = s.email
  if (s.user) m.u = s.user
  if (s.groups !== undefined && s.groups.length > 0) m.g = s.groups
  if (s.preferredUsername) m.pu = s.preferredUsername
  if (s.additionalClaims !== undefined && Object.keys(s.additionalClaims).length > 0) m.ac = claimMap(s.additionalClaims, 1)
  // gatehouse's own keys come last; oauth2-proxy skips them when it reads the session (and drops them when it rewrites it).
  if (s.sid) m.xs = s.sid
  if (isSetTime(s.signedInAt)) m.xi = s.signedInAt
  if (isSetTime(s.lastUsedAt)) m.xl = s.lastUsedAt
  if (s.providerId) m.pid = s.providerId
  try {
    return encoder.encode(m)
  } catch (error) {
    throw new ProxyError('ERR_INTERNAL', 500, 'session could not be encoded', { cause: error })
  }
}

/**
 * Reads a session written by oauth2-proxy or by {@link encodeSessionMsgpack}. Unknown keys are ignored; legacy time
 * forms are accepted. Throws ProxyError (ERR_BAD_REQUEST) for garbage, non-UTF-8 strings or an empty session,
 * the checks oauth2-proxy's `SessionState.validate` makes against unauthenticated CFB decryption.
 */
export function decodeSessionMsgpack(b: Uint8Array): Session {
  const raw = decodeFirst(b, true)
  if (!isMap(raw)) throw badMsgpack('a session must be a map')
  const s: Session = {}
  const createdAt = readTime(raw.ca, 'ca')
  if (createdAt !== undefined) s.createdAt = createdAt
  const expiresOn = readTime(raw.eo, 'eo')
  if (expiresOn !== undefined) s.expiresOn = expiresOn
  const accessToken = readText(raw.at, 'at')
  if (accessToken !== undefined) s.accessToken = accessToken
  const idToken = readText(raw.it, 'it')
  if (idToken !== undefined) s.idToken = idToken
  const refreshToken = readText(raw.rt, 'rt')
  if (refreshToken !== undefined) s.refreshToken = refreshToken
  const nonce = readBytes(raw.n, 'n')
  if (nonce !== undefined) s.nonce = nonce
  const email = readText(raw.e, 'e')
  if (email !== undefined) s.email = email
  const user = readText(raw.u, 'u')
  if (user !== undefined) s.user = user
  const groups = readTextList(raw.g, 'g')
  if (groups !== undefined) s.groups = groups
  const preferredUsername = readText(raw.pu, 'pu')
  if (preferredUsername !== undefined) s.preferredUsername = preferredUsername
  const sid = readText(raw.xs, 'xs')
  if (sid !== undefined) s.sid = sid
  const signedInAt = readTime(raw.xi, 'xi')
  if (signedInAt !== undefined) s.signedInAt = signedInAt
  const lastUsedAt = readTime(raw.xl, 'xl')
  if (lastUsedAt !== undefined) s.lastUsedAt = lastUsedAt
  const providerId = readText(raw.pid, 'pid')
  if (providerId !== undefined) s.providerId = providerId
  if (raw.ac !== null && raw.ac !== undefined) {
    // Claims are read again with strings decoded, since bin and str values must stay distinct there.
    const text = decodeFirst(b, false)
    const claims = isMap(text) ? text.ac : undefined
    if (!isMap(claims)) throw badMsgpack('"ac" is not a map')
    s.additionalClaims = claims
  }
  if (Object.keys(s).length === 0) throw badMsgpack('empty session')
  return s
}

/** The cookie-store payload: random IV ‖ AES-CFB(LZ4 frame(MessagePack(session))) (reference §4.3). */
export function sealCookieSession(s: Session, aesKey: Buffer): Buffer {
  return cfbEncrypt(aesKey, encodeLz4Frame(encodeSessionMsgpack(s)))
}

/** Opens a cookie-store payload; undefined for anything that is not a valid session under this key. Never throws. */
export function openCookieSession(payload: Buffer, aesKey: Buffer): Session | undefined {
  try {
    const compressed = cfbDecrypt(aesKey, payload)
    if (compressed === undefined) return undefined
    return decodeSessionMsgpack(decodeLz4Frame(compressed))
  } catch {
    return undefined
  }
}
