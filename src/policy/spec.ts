import { z } from 'zod'
import { isValidIpOrCidr } from '../lib/cidr.js'

/** A problem in the routes, with its path in the YAML (`routes[2].policy.allow[0].claim`). */
export interface SpecIssue {
  path: string
  message: string
  value?: string
}

const nonEmpty = z.string().min(1, 'must not be empty')
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'must list at least one value')

const METHOD = /^[A-Za-z][A-Za-z0-9_-]*$/
const methods = list(nonEmpty.regex(METHOD, 'is not an HTTP method name')).transform((ms) => ms.map((m) => m.toUpperCase()))

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'u')
    return true
  } catch {
    return false
  }
}

/** Exact path, segment-aware prefix, or an anchored regular expression over the canonical path. */
const pathMatch = z.union([
  z.strictObject({ exact: nonEmpty.startsWith('/', 'must start with /') }),
  z.strictObject({ prefix: nonEmpty.startsWith('/', 'must start with /') }),
  z.strictObject({ regex: nonEmpty.refine(compiles, 'is not a valid regular expression (JavaScript syntax, u flag)') }),
], { error: 'must be one of { exact: /path }, { prefix: /path/ } or { regex: "^/path/.*$" }' })

const HOST = /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/
const host = nonEmpty
  .transform((h) => h.toLowerCase().replace(/\.$/, ''))
  .refine((h) => HOST.test(h), 'must be a host name without port (exact, or *.example.com for every subdomain)')

const claimMatch = z.strictObject({
  name: nonEmpty.regex(/^[^.]+(\.[^.]+)*$/, 'must be a claim name or a dotted path (a.b.c)'),
  values: list(z.string()),
})

const ipEntry = nonEmpty.refine(isValidIpOrCidr, 'must be an IP address or a CIDR range')

/** One rule: every condition it lists must hold; a condition holds when any of its values matches. */
const ruleSchema = z
  .strictObject({
    name: nonEmpty.optional(),
    authenticated: z.literal(true).optional(),
    emails: list(nonEmpty).optional(),
    emailDomains: list(nonEmpty).optional(),
    groups: list(nonEmpty).optional(),
    roles: list(nonEmpty).optional(),
    claim: claimMatch.optional(),
    ips: list(ipEntry).optional(),
    methods: methods.optional(),
    paths: list(pathMatch).optional(),
  })
  .refine((r) => Object.keys(r).some((k) => k !== 'name'), 'a rule needs at least one condition; write `authenticated: true` to match every signed-in user')

const policySchema = z.strictObject({
  allow: z.array(ruleSchema).optional(),
  deny: z.array(ruleSchema).optional(),
})

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/** `true` or `{ audience }`: sign an assertion for this route even without the global flag; `false`: never here. */
const identityAssertion = z.union([
  z.boolean(),
  z.strictObject({ audience: nonEmpty }),
], { error: 'must be true, false or { audience: "<who the assertion is for>" }' })

const routeSchema = z
  .strictObject({
    id: nonEmpty.regex(ID, 'must be letters, digits, `_`, `.` or `-`'),
    hosts: list(host).optional(),
    path: pathMatch.optional(),
    methods: methods.optional(),
    upstream: nonEmpty.optional(),
    public: z.boolean().optional(),
    policy: policySchema.optional(),
    providers: list(nonEmpty).optional(),
    identityAssertion: identityAssertion.optional(),
  })
  .refine((r) => !(r.public === true && r.policy !== undefined), { message: 'a public route takes no policy: remove `public: true` or the policy', path: ['public'] })

/** A path match as written: exactly one of exact, prefix or regex. */
export type PathMatchSpec = z.infer<typeof pathMatch>
/** One allow or deny rule as written (methods upper-cased, hosts lower-cased). */
export type RuleSpec = z.infer<typeof ruleSchema>
/** A route's policy as written. */
export type PolicySpec = z.infer<typeof policySchema>
/** One route as written. */
export type RouteSpec = z.infer<typeof routeSchema>
/** The `routes:` list, validated. */
export type RoutesSpec = readonly RouteSpec[]

/** The ids a route may name; a set left undefined is not checked (the policy test runs without the legacy options). */
export interface KnownIds {
  upstreams?: ReadonlySet<string>
  providers?: ReadonlySet<string>
}

/** Renders a zod path as YAML users read it: `routes[2].policy.allow[0].claim`. */
export function renderPath(path: readonly PropertyKey[]): string {
  let out = 'routes'
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`
  return out
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): string | undefined {
  let at: unknown = raw
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined
    at = (at as Record<PropertyKey, unknown>)[key]
  }
  return typeof at === 'string' || typeof at === 'number' || typeof at === 'boolean' ? String(at) : undefined
}

function isUrl(upstream: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(upstream)
}

function duplicateIds(raw: readonly unknown[]): SpecIssue[] {
  const issues: SpecIssue[] = []
  const seen = new Map<string, number>()
  raw.forEach((item, i) => {
    const id = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)['id'] : undefined
    if (typeof id !== 'string') return
    const first = seen.get(id)
    if (first !== undefined) issues.push({ path: `routes[${i}].id`, value: id, message: `duplicate route id: routes[${first}] has it too; ids must be unique` })
    else seen.set(id, i)
  })
  return issues
}

function crossChecks(routes: readonly (RouteSpec | undefined)[], known: KnownIds): SpecIssue[] {
  const issues: SpecIssue[] = []
  routes.forEach((route, i) => {
    if (route === undefined) return
    const up = route.upstream
    if (up !== undefined && isUrl(up)) {
      if (!/^https?:\/\/[^/]/i.test(up)) issues.push({ path: `routes[${i}].upstream`, value: up, message: 'an upstream URL must be http:// or https:// with a host' })
    } else if (up !== undefined && known.upstreams !== undefined && !known.upstreams.has(up)) {
      issues.push({ path: `routes[${i}].upstream`, value: up, message: `unknown upstream id; known: ${[...known.upstreams].map((u) => JSON.stringify(u)).join(', ') || 'none'} (or give a URL)` })
    }
    route.providers?.forEach((p, j) => {
      if (known.providers !== undefined && !known.providers.has(p)) {
        issues.push({ path: `routes[${i}].providers[${j}]`, value: p, message: `unknown provider id; known: ${[...known.providers].map((x) => JSON.stringify(x)).join(', ')}` })
      }
    })
  })
  return issues
}

/** Validates the raw `routes:` value; pure; every problem (of every route) is returned at once with its path. */
export function parseRoutesSpec(raw: unknown, known: KnownIds = {}): { spec: RoutesSpec; issues: SpecIssue[] } {
  if (raw === undefined || raw === null) return { spec: [], issues: [] }
  if (!Array.isArray(raw)) return { spec: [], issues: [{ path: 'routes', message: 'must be a list of routes' }] }
  const issues: SpecIssue[] = []
  const routes = raw.map((item: unknown, i): RouteSpec | undefined => {
    const parsed = routeSchema.safeParse(item)
    if (parsed.success) return parsed.data
    for (const issue of parsed.error.issues) {
      const path = [i, ...issue.path]
      const value = valueAt(raw, path)
      issues.push(value === undefined ? { path: renderPath(path), message: issue.message } : { path: renderPath(path), value, message: issue.message })
    }
    return undefined
  })
  issues.push(...duplicateIds(raw), ...crossChecks(routes, known))
  return { spec: issues.length === 0 ? (routes as RouteSpec[]) : [], issues }
}

/** True when some route turns the identity assertion on for itself (`identityAssertion: true` or `{ audience }`). */
export function routesAskForAssertion(routes: RoutesSpec | undefined): boolean {
  return routes?.some((r) => r.identityAssertion !== undefined && r.identityAssertion !== false) === true
}

/** True when a route's upstream is a URL of its own rather than the id of a configured upstream. */
export function isUpstreamUrl(upstream: string): boolean {
  return isUrl(upstream)
}
