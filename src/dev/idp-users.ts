// Demo accounts and clients of the development OpenID provider, and how they turn into claims.
// Development and tests only: the passwords are public and stored in clear.
import type { DevClient, DevUser } from './idp-types.js'

/** alice (verified, admins + developers), bob (verified, developers), carol (email not verified, no groups). */
export const DEFAULT_DEV_USERS: DevUser[] = [
  {
    sub: 'alice',
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Example',
    preferredUsername: 'alice',
    groups: ['admins', 'developers'],
    password: 'alice-password',
  },
  {
    sub: 'bob',
    email: 'bob@example.com',
    emailVerified: true,
    name: 'Bob Example',
    preferredUsername: 'bob',
    groups: ['developers'],
    password: 'bob-password',
  },
  {
    sub: 'carol',
    email: 'carol@example.org',
    emailVerified: false,
    name: 'Carol Example',
    preferredUsername: 'carol',
    groups: [],
    password: 'carol-password',
  },
]

const LOOPBACK_REDIRECTS = ['http://127.0.0.1:*/**', 'http://localhost:*/**']

/**
 * One client per authentication method, each accepting any loopback redirect (any port, any path):
 * `gatehouse` (client_secret_basic), `gatehouse-post` (client_secret_post), `gatehouse-public` (none, PKCE required).
 */
export const DEFAULT_DEV_CLIENTS: DevClient[] = [
  {
    clientId: 'gatehouse',
    clientSecret: 'gatehouse-secret',
    authMethod: 'client_secret_basic',
    redirectUris: LOOPBACK_REDIRECTS,
    postLogoutRedirectUris: LOOPBACK_REDIRECTS,
  },
  {
    clientId: 'gatehouse-post',
    clientSecret: 'gatehouse-post-secret',
    authMethod: 'client_secret_post',
    redirectUris: LOOPBACK_REDIRECTS,
    postLogoutRedirectUris: LOOPBACK_REDIRECTS,
  },
  {
    clientId: 'gatehouse-public',
    authMethod: 'none',
    redirectUris: LOOPBACK_REDIRECTS,
    postLogoutRedirectUris: LOOPBACK_REDIRECTS,
  },
]

/** Finds the user whose username, email or subject equals `login` (username and email ignore case). */
export function findUserByLogin(users: readonly DevUser[], login: string): DevUser | undefined {
  const wanted = login.trim()
  const folded = wanted.toLowerCase()
  return users.find(
    (u) => u.sub === wanted || u.preferredUsername.toLowerCase() === folded || (u.email !== '' && u.email.toLowerCase() === folded),
  )
}

/** Every claim of a user; oidc-provider then releases only those the granted scopes cover. */
export function userClaims(user: DevUser): Record<string, unknown> {
  return {
    ...user.extraClaims,
    sub: user.sub,
    // An empty email leaves both claims out, as ADFS does for accounts known only by their `upn`.
    ...(user.email === '' ? {} : { email: user.email, email_verified: user.emailVerified }),
    name: user.name,
    preferred_username: user.preferredUsername,
    groups: [...user.groups],
  }
}

/** Names of the extra claims of every user, so the provider can be told to release them. */
export function extraClaimNames(users: readonly DevUser[]): string[] {
  const names = new Set<string>()
  for (const user of users) {
    for (const name of Object.keys({ ...user.extraClaims, ...user.userinfoClaims })) names.add(name)
  }
  return [...names]
}
