import type { Session } from '../session/session.js'
import type { RequestLog } from './authenticate.js'
import type { HtpasswdValidator } from './htpasswd.js'

/** Scheme and value of an Authorization header, split on its one space (oauth2-proxy's splitAuthHeader). */
export function splitAuthorization(header: string): { scheme: string; value: string } | undefined {
  const parts = header.split(' ')
  if (parts.length !== 2) return undefined
  const [scheme = '', value = ''] = parts
  return { scheme, value }
}

/** User and password of a `Basic` value: strict padded base64 of `user:password` (the password may hold colons). */
export function decodeBasicCredentials(value: string): { user: string; password: string } | undefined {
  if (value === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon === -1) return undefined
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export interface BasicSessionOptions {
  validator: HtpasswdValidator
  /** `--htpasswd-user-group`: the groups every htpasswd user gets. */
  groups: readonly string[]
  /** `--prefer-email-to-user`: the user name is the email address too. */
  preferEmailToUser: boolean
}

/** The session of an htpasswd user (never stored; rebuilt from the credentials on every request). */
export function htpasswdSession(user: string, options: Pick<BasicSessionOptions, 'groups' | 'preferEmailToUser'>): Session {
  return {
    user,
    ...(options.preferEmailToUser ? { email: user } : {}),
    ...(options.groups.length === 0 ? {} : { groups: [...options.groups] }),
  }
}

/**
 * oauth2-proxy's basic session loader: `Authorization: Basic` credentials found in `--htpasswd-file` make a session;
 * anything else (another scheme, bad encoding, a wrong password) makes none, and the cookie session is tried next.
 */
export function createBasicSessionLoader(options: BasicSessionOptions) {
  return async (authorization: string, request: RequestLog): Promise<Session | undefined> => {
    const parts = splitAuthorization(authorization)
    if (parts === undefined || parts.scheme !== 'Basic') return undefined
    const credentials = decodeBasicCredentials(parts.value)
    if (credentials === undefined) return undefined
    if (await options.validator.validate(credentials.user, credentials.password)) {
      request.log.info({ event: 'auth.basic.success', user: credentials.user, client: request.client }, 'authenticated via basic auth and the htpasswd file')
      return htpasswdSession(credentials.user, options)
    }
    request.log.info({ event: 'auth.basic.failure', user: credentials.user, client: request.client }, 'invalid basic auth: not in the htpasswd file')
    return undefined
  }
}
