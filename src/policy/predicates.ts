import { createIpSet } from '../lib/cidr.js'
import type { CanonicalRequest } from './canonical.js'
import type { PathMatchSpec, RuleSpec } from './spec.js'

/** Who is asking, as policies see it: plain values, built from a session (or a test case). */
export interface Identity {
  email?: string | undefined
  user?: string | undefined
  groups: readonly string[]
  preferredUsername?: string | undefined
  /** Extra claims (the session's additional claims), looked up by dotted path. */
  claims?: Readonly<Record<string, unknown>> | undefined
}

/** A compiled predicate over the canonical path. */
export type PathPredicate = (path: string) => boolean

/** A compiled rule: one predicate, and its label for decisions and logs. */
export interface CompiledRule {
  readonly label: string
  readonly test: (identity: Identity, request: CanonicalRequest) => boolean
  /** The rule as written, for the shadow and unreachable-rule analysis. */
  readonly spec: RuleSpec
}

/** Exact, segment-aware prefix (`/admin` covers `/admin` and `/admin/x`, not `/administrator`) or anchored regex. */
export function compilePath(match: PathMatchSpec): PathPredicate {
  if ('exact' in match) {
    const exact = match.exact
    return (p) => p === exact
  }
  if ('prefix' in match) {
    const prefix = match.prefix
    if (prefix.endsWith('/')) return (p) => p.startsWith(prefix)
    const dir = `${prefix}/`
    return (p) => p === prefix || p.startsWith(dir)
  }
  const re = new RegExp(`^(?:${match.regex})$`, 'u')
  return (p) => re.test(p)
}

/** Looks a claim up by dotted path: the session's own fields first, then its additional claims. */
export function claimValue(identity: Identity, name: string): unknown {
  switch (name) {
    case 'email':
      return identity.email
    case 'user':
    case 'sub':
      return identity.user
    case 'groups':
      return identity.groups
    case 'preferred_username':
      return identity.preferredUsername
  }
  let at: unknown = identity.claims
  for (const key of name.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined
    at = (at as Record<string, unknown>)[key]
  }
  return at
}

function claimMatches(value: unknown, wanted: ReadonlySet<string>): boolean {
  if (typeof value === 'string') return wanted.has(value)
  if (typeof value === 'number' || typeof value === 'boolean') return wanted.has(String(value))
  if (Array.isArray(value)) return value.some((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && wanted.has(String(v)))
  return false
}

/** The domain after the single `@`, lower case; undefined for anything else. */
function emailDomain(email: string | undefined): string | undefined {
  if (email === undefined) return undefined
  const at = email.indexOf('@')
  if (at <= 0 || at !== email.lastIndexOf('@')) return undefined
  return email.slice(at + 1).toLowerCase()
}

/** oauth2-proxy's prefix for Keycloak roles in the group list (`role:r`, `role:client:r`). */
const ROLE_PREFIX = 'role:'

/** Compiles a rule into one predicate: sets, CIDR sets and regexes are built here, never per request. */
export function compileRule(spec: RuleSpec, label: string): CompiledRule {
  const checks: ((identity: Identity, request: CanonicalRequest) => boolean)[] = []
  if (spec.emails !== undefined) {
    const emails = new Set(spec.emails.map((e) => e.toLowerCase()))
    checks.push((id) => id.email !== undefined && emails.has(id.email.toLowerCase()))
  }
  if (spec.emailDomains !== undefined) {
    const domains = new Set(spec.emailDomains.map((d) => d.toLowerCase().replace(/^@/, '')))
    checks.push((id) => {
      const domain = emailDomain(id.email)
      return domain !== undefined && domains.has(domain)
    })
  }
  if (spec.groups !== undefined) {
    const groups = new Set(spec.groups)
    checks.push((id) => id.groups.some((g) => groups.has(g)))
  }
  if (spec.roles !== undefined) {
    const roles = new Set(spec.roles.map((r) => `${ROLE_PREFIX}${r}`))
    checks.push((id) => id.groups.some((g) => roles.has(g)))
  }
  if (spec.claim !== undefined) {
    const { name } = spec.claim
    const wanted = new Set(spec.claim.values)
    checks.push((id) => claimMatches(claimValue(id, name), wanted))
  }
  if (spec.ips !== undefined) {
    const ips = createIpSet(spec.ips)
    checks.push((_id, req) => req.clientIp !== '' && ips.has(req.clientIp))
  }
  if (spec.methods !== undefined) {
    const methods = new Set(spec.methods)
    checks.push((_id, req) => methods.has(req.method))
  }
  if (spec.paths !== undefined) {
    const paths = spec.paths.map(compilePath)
    checks.push((_id, req) => paths.some((p) => p(req.path)))
  }
  // `authenticated: true` adds no check: a rule only ever runs for a signed-in identity.
  const test = checks.length === 1 ? (checks[0] as CompiledRule['test']) : (id: Identity, req: CanonicalRequest) => checks.every((c) => c(id, req))
  return Object.freeze({ label: spec.name === undefined ? label : `${label} (${spec.name})`, test, spec })
}
