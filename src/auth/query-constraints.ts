import { isHostAllowed } from './domain-match.js'

/** Per-request allow-lists from the `/oauth2/auth` (and proxied request) query string, reference §3.3. */
export interface QueryConstraints {
  allowedGroups?: string[]
  allowedEmailDomains?: string[]
  allowedEmails?: string[]
}

export type QueryConstraintRule = 'allowed_groups' | 'allowed_email_domains' | 'allowed_emails'

/** Reads `allowed_groups`, `allowed_email_domains`, `allowed_emails`: repeated keys and comma lists, trimmed, empties dropped; absent or empty lists impose nothing. */
export function parseQueryConstraints(search: URLSearchParams): QueryConstraints {
  const out: QueryConstraints = {}
  const groups = listParam(search, 'allowed_groups')
  const domains = listParam(search, 'allowed_email_domains')
  const emails = listParam(search, 'allowed_emails')
  if (groups.length > 0) out.allowedGroups = groups
  if (domains.length > 0) out.allowedEmailDomains = domains
  if (emails.length > 0) out.allowedEmails = emails
  return out
}

/**
 * oauth2-proxy's `authOnlyAuthorize` checks in its order (groups, email domains, emails); all given must pass.
 * - groups: at least one session group is listed (exact, case-sensitive, as oauth2-proxy);
 * - email domains: the email has exactly one `@` and its domain passes the whitelist rules of `isHostAllowed` with no
 *   port (`x.com` exact, `.x.com` the domain and its subdomains); compared lower-cased;
 * - emails: exact match, as oauth2-proxy.
 * A request with no session at all (an allowed request) is the caller's case: oauth2-proxy lets it pass.
 */
export function checkQueryConstraints(c: QueryConstraints, identity: { email?: string; groups?: readonly string[] }): { ok: true } | { ok: false; rule: QueryConstraintRule } {
  if (c.allowedGroups !== undefined && c.allowedGroups.length > 0) {
    const wanted = new Set(c.allowedGroups)
    if (!(identity.groups ?? []).some((g) => wanted.has(g))) return { ok: false, rule: 'allowed_groups' }
  }
  if (c.allowedEmailDomains !== undefined && c.allowedEmailDomains.length > 0) {
    if (!emailDomainAllowed(identity.email ?? '', c.allowedEmailDomains)) return { ok: false, rule: 'allowed_email_domains' }
  }
  if (c.allowedEmails !== undefined && c.allowedEmails.length > 0) {
    const email = identity.email ?? ''
    if (email === '' || !c.allowedEmails.includes(email)) return { ok: false, rule: 'allowed_emails' }
  }
  return { ok: true }
}

function emailDomainAllowed(email: string, domains: readonly string[]): boolean {
  const parts = email.split('@')
  if (parts.length !== 2) return false
  const domain = parts[1] ?? ''
  // A domain part carrying a port or brackets is not a mail domain; the host matcher would read them as such.
  if (domain === '' || /[:[\]]/.test(domain)) return false
  return isHostAllowed(domain, domains)
}

function listParam(search: URLSearchParams, key: string): string[] {
  const out: string[] = []
  for (const value of search.getAll(key)) {
    for (const item of value.split(',')) {
      const trimmed = item.trim()
      if (trimmed !== '') out.push(trimmed)
    }
  }
  return out
}
