import { ProxyError } from '../errors.js'

/** What a valid logout token says: end the IdP session `sid`, or every session of `sub`, at issuer `iss`. */
export interface LogoutClaims {
  iss: string
  sub: string | undefined
  sid: string | undefined
  jti: string
  /** Seconds since the epoch until which the `jti` must be remembered (the token's `exp`, or `iat` plus the window). */
  rememberUntil: number
}

/** The event a logout token must carry (OpenID Connect Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
/** How old (by `iat`) a logout token may be; the spec leaves the window to the RP. */
export const LOGOUT_TOKEN_MAX_AGE_SEC = 300

function refuse(reason: string): ProxyError {
  return new ProxyError('ERR_BAD_REQUEST', 400, `logout token rejected: ${reason}`)
}

/**
 * The claim checks of §2.6 steps 4 to 7 on a token whose signature, `iss`, `aud`, `exp` and `iat` window were already
 * verified: an `events` object with the back-channel logout member, `sid` and/or `sub`, no `nonce`, a `jti`.
 */
export function logoutClaims(payload: Readonly<Record<string, unknown>>): LogoutClaims {
  const events = payload['events']
  if (events === null || typeof events !== 'object' || Array.isArray(events)) throw refuse('no "events" object')
  const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT]
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw refuse('"events" has no back-channel logout event')
  if ('nonce' in payload) throw refuse('a logout token must not carry a "nonce"')
  const sub = payload['sub']
  const sid = payload['sid']
  if (sub !== undefined && (typeof sub !== 'string' || sub === '')) throw refuse('"sub" is not a string')
  if (sid !== undefined && (typeof sid !== 'string' || sid === '')) throw refuse('"sid" is not a string')
  if (sub === undefined && sid === undefined) throw refuse('neither "sid" nor "sub"')
  const jti = payload['jti']
  if (typeof jti !== 'string' || jti === '') throw refuse('no "jti"')
  const iss = payload['iss']
  const iat = payload['iat']
  if (typeof iss !== 'string' || typeof iat !== 'number') throw refuse('no "iss" or "iat"')
  const exp = payload['exp']
  return { iss, sub, sid, jti, rememberUntil: Math.max(typeof exp === 'number' ? exp : 0, iat + LOGOUT_TOKEN_MAX_AGE_SEC) }
}
