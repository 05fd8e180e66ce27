/** The `--email-domain` and `--authenticated-emails-file` check oauth2-proxy runs on every session (`validator.go`). */
export interface EmailRules {
  allows(email: string): boolean
  /** True unless `*` is among the domains: a session must then carry an email for the rule to judge. */
  readonly requiresEmail: boolean
}

/**
 * Builds oauth2-proxy's email validator (reference §6.4, advisory 13):
 * - `*` allows any non-empty email (as oauth2-proxy, which checks `*` after refusing "");
 * - `example.com` allows `user@example.com` only; `.example.com` and `*.example.com` allow proper subdomains
 *   (`user@a.example.com`) but not the bare domain, exactly as oauth2-proxy's `isEmailValidWithDomains`;
 * - domain rules need exactly one `@` (so `a@evil.com@example.com` is refused, GHSA-c5c4-8r6x-56w3) and, stricter
 *   than oauth2-proxy, a non-empty local part;
 * - `emails` (the authenticated emails file) are exact addresses; everything is compared lower-cased.
 * The empty email is refused here, as in oauth2-proxy. oauth2-proxy's callers skip the check for sessions without an
 * email; gatehouse's `authorizeSession` (authorize.ts) refuses them whenever `requiresEmail`.
 */
export function createEmailRules(opts: { domains: readonly string[]; emails?: readonly string[] }): EmailRules {
  const domains = opts.domains.map((d) => d.trim().toLowerCase()).filter((d) => d !== '')
  const allowAll = domains.includes('*')
  const exact = new Set(domains.filter((d) => d !== '*' && !d.startsWith('.') && !d.startsWith('*.')))
  const suffixes = domains.filter((d) => d.startsWith('.') || d.startsWith('*.')).map((d) => (d.startsWith('*') ? d.slice(1) : d)).filter((s) => s.length > 1)
  const emails = new Set((opts.emails ?? []).map((e) => e.trim().toLowerCase()).filter((e) => e !== ''))
  return {
    requiresEmail: !allowAll,
    allows(email: string): boolean {
      if (email === '') return false
      if (allowAll) return true
      const lower = email.toLowerCase()
      if (emails.has(lower)) return true
      const at = lower.indexOf('@')
      if (at <= 0 || at !== lower.lastIndexOf('@')) return false
      const domain = lower.slice(at + 1)
      if (exact.has(domain)) return true
      return suffixes.some((suffix) => domain.length > suffix.length && domain.endsWith(suffix))
    },
  }
}

/**
 * Reads an authenticated emails file as oauth2-proxy does (Go `encoding/csv`, comment `#`, leading space trimmed):
 * the first column of each record, trimmed and lower-cased; blank lines, comment lines and empty first columns are
 * skipped. A quoted first column (`"a@b.com",x`) is unquoted. Unlike Go's reader, records of differing widths are fine.
 */
export function parseAuthenticatedEmailsFile(text: string): string[] {
  const out: string[] = []
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trimStart()
    if (line === '' || line.startsWith('#')) continue
    const first = firstField(line).trim().toLowerCase()
    if (first !== '') out.push(first)
  }
  return out
}

function firstField(line: string): string {
  if (!line.startsWith('"')) {
    const comma = line.indexOf(',')
    return comma === -1 ? line : line.slice(0, comma)
  }
  let value = ''
  for (let i = 1; i < line.length; i++) {
    const ch = line[i]
    if (ch === '"') {
      if (line[i + 1] === '"') {
        value += '"'
        i++
        continue
      }
      return value
    }
    value += ch
  }
  return value
}
