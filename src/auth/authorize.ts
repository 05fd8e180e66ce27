import type { IpSet } from '../lib/cidr.js'
import type { Session } from '../session/session.js'
import type { EmailRules } from './email-rules.js'

/** Why a request may pass without a session (oauth2-proxy's `IsAllowedRequest`). */
export type AllowedReason = 'preflight' | 'skip_auth_route' | 'trusted_ip' | 'public_route'

/** `unknown_provider`: the session names a provider the configuration no longer has (several providers only). */
export type SessionDecision = { ok: true } | { ok: false; rule: 'no_identity' | 'email_domains' | 'allowed_groups' | 'unknown_provider' }

/**
 * A session from `--htpasswd-file` (the sign-in form or Basic credentials) holds no provider token: its user was
 * vouched for by the file, and it has no email unless `--prefer-email-to-user`, so an email rule cannot judge it.
 */
function isPasswordSession(session: Session): boolean {
  return session.accessToken === undefined && session.idToken === undefined
}

export interface AuthorizerOptions {
  emailRules: EmailRules
  allowedGroups: readonly string[]
  skipAuthPreflight: boolean
  isSkipAuthRoute: (method: string, pathname: string) => boolean
  trustedIps: IpSet | undefined
}

/** The global rules: which requests skip authentication, and which sessions are allowed at all. */
export function createAuthorizer(options: AuthorizerOptions) {
  const groups = new Set(options.allowedGroups)
  return {
    /**
     * Requests allowed without a session. `method` and `uri` are what the client asked for: the proxied request,
     * or the trusted X-Forwarded-Method/-Uri behind a reverse proxy (never an untrusted peer's headers).
     */
    allowedWithoutSession(input: { method: string; path: string | undefined; clientIp: string }): AllowedReason | undefined {
      if (options.skipAuthPreflight && input.method === 'OPTIONS') return 'preflight'
      if (input.path !== undefined && options.isSkipAuthRoute(input.method, input.path)) return 'skip_auth_route'
      if (options.trustedIps !== undefined && input.clientIp !== '' && options.trustedIps.has(input.clientIp)) return 'trusted_ip'
      return undefined
    },

    /**
     * A user or an email first, then email domains or the emails file, then `--allowed-group` (any match). Unlike
     * oauth2-proxy, which skips the email rule for a session without an email, such a session is refused whenever
     * an email rule other than `*` is set (htpasswd sessions aside), and one with neither user nor email always is.
     */
    authorizeSession(session: Session): SessionDecision {
      const email = session.email ?? ''
      if (email === '' && (session.user ?? '') === '') return { ok: false, rule: 'no_identity' }
      if (email === '') {
        if (options.emailRules.requiresEmail && !isPasswordSession(session)) return { ok: false, rule: 'email_domains' }
      } else if (!options.emailRules.allows(email)) {
        return { ok: false, rule: 'email_domains' }
      }
      if (groups.size > 0 && !(session.groups ?? []).some((g) => groups.has(g))) return { ok: false, rule: 'allowed_groups' }
      return { ok: true }
    },
  }
}

export type Authorizer = ReturnType<typeof createAuthorizer>
