import { gcmOpen, gcmSeal } from '../crypto/aes-gcm.js'
import { randomBytes, randomHex } from '../crypto/random.js'
import { decodeSessionMsgpack, encodeSessionMsgpack } from './session-codec.js'
import type { Session } from './session.js'

/** What a Redis session cookie carries: the Redis key and the per-session AES-128-GCM key (reference §4.5). */
export interface Ticket {
  /** `<cookie name>-<32 hex chars>`: the Redis key of the session. */
  id: string
  /** 16 random bytes; the key that seals this one session's value. */
  secret: Buffer
}

const SECRET_LENGTH = 16
const RAW_URL = /^[A-Za-z0-9_-]*$/

/** Go's `base64.RawURLEncoding.DecodeString`: URL alphabet, no padding; undefined for anything else. */
function decodeRawUrl(text: string): Buffer | undefined {
  if (!RAW_URL.test(text) || text.length % 4 === 1) return undefined
  return Buffer.from(text, 'base64url')
}

/** A fresh ticket for a new session, as oauth2-proxy's `newTicket`. */
export function newTicket(cookieName: string): Ticket {
  return { id: `${cookieName}-${randomHex(16)}`, secret: randomBytes(SECRET_LENGTH) }
}

/** The signed cookie payload of a ticket: `v2.` ‖ base64url(id) ‖ `.` ‖ base64url(secret), unpadded. */
export function encodeTicket(ticket: Ticket): string {
  return `v2.${Buffer.from(ticket.id, 'utf8').toString('base64url')}.${ticket.secret.toString('base64url')}`
}

/**
 * Reads a ticket payload in the v2 form or oauth2-proxy's older `<id>.<secret>` form. The id must start with the
 * cookie name, as oauth2-proxy checks, so one cookie cannot name another application's Redis key. Never throws.
 */
export function decodeTicket(payload: string, cookieName: string): Ticket | undefined {
  const parts = payload.split('.')
  let id: string
  let secretText: string
  if (parts.length === 2) {
    id = parts[0] as string
    secretText = parts[1] as string
  } else if (parts.length === 3 && parts[0] === 'v2') {
    const idBytes = decodeRawUrl(parts[1] as string)
    if (idBytes === undefined) return undefined
    id = idBytes.toString('utf8')
    secretText = parts[2] as string
  } else {
    return undefined
  }
  if (!id.startsWith(cookieName)) return undefined
  const secret = decodeRawUrl(secretText)
  // AES-GCM in oauth2-proxy takes 16, 24 or 32 byte keys; it writes 16.
  if (secret === undefined || ![16, 24, 32].includes(secret.length)) return undefined
  return { id, secret }
}

/** The Redis value: 12-byte nonce ‖ AES-GCM(MessagePack(session)) ‖ 16-byte tag, without LZ4 (reference §4.5). */
export function sealTicketValue(ticket: Ticket, session: Session): Buffer {
  return gcmSeal(ticket.secret, encodeSessionMsgpack(session))
}

/** Opens a Redis value with the ticket's key; undefined when it does not authenticate or is not a session. Never throws. */
export function openTicketValue(ticket: Ticket, value: Uint8Array): Session | undefined {
  try {
    const plain = gcmOpen(ticket.secret, value)
    return plain === undefined ? undefined : decodeSessionMsgpack(plain)
  } catch {
    return undefined
  }
}
