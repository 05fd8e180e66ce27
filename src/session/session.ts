/**
 * A signed-in user's session, field for field oauth2-proxy's SessionState so that
 * cookies and Redis values written by either proxy read back in the other.
 */
export interface Session {
  /** When the session was created or last refreshed (msgpack key `ca`). */
  createdAt?: Date
  /** When the access token expires (msgpack key `eo`). */
  expiresOn?: Date
  accessToken?: string
  idToken?: string
  refreshToken?: string
  /** The raw 32-byte OIDC nonce from the CSRF cookie (msgpack key `n`). */
  nonce?: Uint8Array
  email?: string
  user?: string
  groups?: string[]
  preferredUsername?: string
  additionalClaims?: Record<string, unknown>
  /**
   * gatehouse only: the id of the provider that signed the user in (msgpack key `pid`), set only when several
   * providers are configured; a session without it belongs to the first provider.
   */
  providerId?: string
}

/** Milliseconds since the session was created or refreshed; infinite when unknown. */
export function sessionAge(session: Session, now: number): number {
  return session.createdAt === undefined ? Number.POSITIVE_INFINITY : now - session.createdAt.getTime()
}

/** True when the access token's expiry is known and has passed. */
export function isExpired(session: Session, now: number): boolean {
  return session.expiresOn !== undefined && session.expiresOn.getTime() <= now
}
