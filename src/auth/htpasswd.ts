import { createHash, createHmac, randomBytes } from 'node:crypto'
import { BCRYPT_PREFIXES, bcryptMatches, isBcryptHash } from '../crypto/bcrypt.js'
import { safeEqual } from '../crypto/equal.js'

/** One user's stored password: a bcrypt hash, or the base64 SHA-1 digest of a `{SHA}` entry. */
type StoredPassword = { kind: 'bcrypt'; hash: string } | { kind: 'sha1'; digest: string }

/** A parsed htpasswd file, or every line that could not be read (1-based line numbers). */
export type HtpasswdParse =
  | { ok: true; users: ReadonlyMap<string, StoredPassword> }
  | { ok: false; problems: string[] }

/**
 * Reads an htpasswd file as oauth2-proxy does (Go's csv reader with `:` as separator, `#` comments, leading spaces
 * trimmed): `user:{SHA}base64` (htpasswd -s) or `user:$2y$…` bcrypt (htpasswd -B). Other forms (MD5 `$apr1$`, crypt,
 * plain text) are refused with the line and the reason, and a file without a single user is refused too.
 */
export function parseHtpasswd(text: string): HtpasswdParse {
  const users = new Map<string, StoredPassword>()
  const problems: string[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i += 1) {
    const line = (lines[i] ?? '').replace(/\r$/, '')
    if (line.trim() === '' || line.startsWith('#')) continue
    const fields = line.split(':').map((f) => f.replace(/^[ \t]+/, ''))
    const where = `line ${i + 1}`
    if (fields.length !== 2) {
      problems.push(`${where}: expected user:password-hash, found ${fields.length} field${fields.length === 1 ? '' : 's'}`)
      continue
    }
    const [user = '', stored = ''] = fields
    if (user === '') {
      problems.push(`${where}: the user name is empty`)
    } else if (stored.startsWith('{SHA}') && stored.length > 6) {
      const digest = stored.slice(5)
      if (!/^[A-Za-z0-9+/]{27}=$/.test(digest)) problems.push(`${where}: user ${JSON.stringify(user)}: {SHA} must be followed by the base64 SHA-1 digest (htpasswd -s)`)
      else users.set(user, { kind: 'sha1', digest })
    } else if (BCRYPT_PREFIXES.some((p) => stored.startsWith(p))) {
      if (!isBcryptHash(stored)) problems.push(`${where}: user ${JSON.stringify(user)}: malformed bcrypt hash`)
      else users.set(user, { kind: 'bcrypt', hash: stored })
    } else {
      const form = stored.startsWith('$apr1$') ? 'an MD5 ($apr1$) hash' : stored.startsWith('$') ? 'an unsupported crypt hash' : 'not a hash'
      problems.push(`${where}: user ${JSON.stringify(user)}: the password is ${form}; use bcrypt (htpasswd -B) or SHA-1 (htpasswd -s)`)
    }
  }
  if (problems.length > 0) return { ok: false, problems }
  if (users.size === 0) return { ok: false, problems: ['the file holds no user entry'] }
  return { ok: true, users }
}

/** How long a successful bcrypt check is remembered, so Basic auth on every request costs one bcrypt per minute. */
const VERIFIED_TTL_MS = 60_000
const VERIFIED_MAX = 1_000
/** Hashed when the user is unknown, so a wrong user name costs as long as a wrong password. */
const DUMMY_BCRYPT = '$2b$10$grmuYkXuLxzzNSFbK/Yp2ecjEmHT9/OWU8o4i5IxcfdZ7.3/aues.'

/** Checks user names and passwords against a set of htpasswd users; `replace` swaps the set (file reloaded). */
export function createHtpasswdValidator(initial: ReadonlyMap<string, StoredPassword>, clock: () => number = Date.now) {
  let users = initial
  // Successful checks by HMAC(user, password) under a key of this process only: the password is never kept.
  const cacheKey = randomBytes(32)
  const verified = new Map<string, number>()

  function remember(key: string): void {
    if (verified.size >= VERIFIED_MAX) {
      const oldest = verified.keys().next().value
      if (oldest !== undefined) verified.delete(oldest)
    }
    verified.set(key, clock() + VERIFIED_TTL_MS)
  }

  return {
    /** True when the user exists and the password matches; comparisons take constant time in the secret. */
    async validate(user: string, password: string): Promise<boolean> {
      const stored = users.get(user)
      if (stored === undefined) {
        await bcryptMatches(password, DUMMY_BCRYPT)
        return false
      }
      if (stored.kind === 'sha1') return safeEqual(createHash('sha1').update(password, 'utf8').digest('base64'), stored.digest)
      const key = createHmac('sha256', cacheKey).update(user).update('\0').update(password).update('\0').update(stored.hash).digest('base64')
      const until = verified.get(key)
      if (until !== undefined && until > clock()) return true
      if (until !== undefined) verified.delete(key)
      const ok = await bcryptMatches(password, stored.hash)
      if (ok) remember(key)
      return ok
    },
    /** Swaps in a new user set (the file changed); remembered checks of the old one are dropped. */
    replace(next: ReadonlyMap<string, StoredPassword>): void {
      users = next
      verified.clear()
    },
    get size(): number {
      return users.size
    },
  }
}

export type HtpasswdValidator = ReturnType<typeof createHtpasswdValidator>
