import bcrypt from 'bcryptjs'

/** The bcrypt prefixes oauth2-proxy accepts in htpasswd files (golang.org/x/crypto reads every minor version). */
export const BCRYPT_PREFIXES = ['$2a$', '$2b$', '$2x$', '$2y$'] as const

/** True when `hash` looks like a bcrypt hash bcryptjs can check: a known prefix, a two-digit cost and 53 salt+hash characters. */
export function isBcryptHash(hash: string): boolean {
  return /^\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)
}

/**
 * Checks `password` against a bcrypt hash, off the event loop's critical path (bcryptjs yields between rounds).
 * `$2x$` is computed as `$2a$`, as Go's bcrypt does: neither implements the old crypt_blowfish sign bug.
 */
export async function bcryptMatches(password: string, hash: string): Promise<boolean> {
  const normalized = hash.startsWith('$2x$') ? `$2a$${hash.slice(4)}` : hash
  try {
    return await bcrypt.compare(password, normalized)
  } catch {
    return false
  }
}

/** Hashes `password` with bcrypt at `cost` (for tests and tooling that write htpasswd files). */
export function bcryptHash(password: string, cost = 10): Promise<string> {
  return bcrypt.hash(password, cost)
}
