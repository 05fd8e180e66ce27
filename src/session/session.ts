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
   * gatehouse only (msgpack key `xs`): the IdP session id, the ID token's `sid`, matched by back-channel logout.
   * oauth2-proxy's decoder skips keys it does not know, so both proxies still read each other's sessions.
   */
  sid?: string
  /** gatehouse only (`xi`): when the user signed in; unlike `createdAt` a refresh keeps it. */
  signedInAt?: Date
  /** gatehouse only (`xl`): when the session was last used, written at most once a minute (`--session-idle-timeout`). */
  lastUsedAt?: Date
  /**
   * gatehouse only: the id of the provider that signed the user in (msgpack key `pid`), set only when several
   * providers are configured; a session without it belongs to the first provider.
   */
  providerId?: string
}

/** When the user signed in: `signedInAt`, or for sessions written before it existed (or by oauth2-proxy) `createdAt`. */
export function signInTime(session: Session): number | undefined {
  return (session.signedInAt ?? session.createdAt)?.getTime()
}

/** Milliseconds since the session was created or refreshed; infinite when unknown. */
export function sessionAge(session: Session, now: number): number {
  return session.createdAt === undefined ? Number.POSITIVE_INFINITY : now - session.createdAt.getTime()
}

/** True when the access token's expiry is known and has passed. */
export function isExpired(session: Session, now: number): boolean {
  return session.expiresOn !== undefined && session.expiresOn.getTime() <= now
}
