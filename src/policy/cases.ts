import { z } from 'zod'
import { canonicalize } from './canonical.js'
import { evaluate } from './decide.js'
import type { Identity } from './predicates.js'
import type { RouteTable } from './route-table.js'
import { type SpecIssue } from './spec.js'

/** Scheme, host (with port) and the raw rest: the path is read as sent, never resolved by a URL parser first. */
const ABSOLUTE = /^https?:\/\/([^/?#]+)(.*)$/i

const caseSchema = z.strictObject({
  name: z.string().min(1),
  request: z.strictObject({
    method: z.string().min(1).default('GET'),
    url: z.string().regex(ABSOLUTE, 'must be an absolute http(s) URL: http://host/path?query'),
    ip: z.string().default(''),
  }),
  /** Omitted: the request is made without signing in. */
  user: z
    .strictObject({
      email: z.string().optional(),
      user: z.string().optional(),
      preferredUsername: z.string().optional(),
      groups: z.array(z.string()).default([]),
      claims: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  expect: z.enum(['allow', 'deny']),
  rule: z.string().min(1).optional(),
  route: z.string().min(1).optional(),
})

/** One sample request of a policy test file, validated. */
export type PolicyCase = z.infer<typeof caseSchema>

/** Validates a cases file (`cases: [...]`); every problem with its path (`cases[3].request.url`). */
export function parseCases(raw: unknown): { cases: PolicyCase[]; issues: SpecIssue[] } {
  const parsed = z.strictObject({ cases: z.array(caseSchema).min(1, 'must list at least one case') }).safeParse(raw)
  if (parsed.success) return { cases: parsed.data.cases, issues: [] }
  return { cases: [], issues: parsed.error.issues.map((i) => ({ path: i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, ''), message: i.message })) }
}

/** What the route table decided for one case, and whether that is what the case expects. */
export interface CaseResult {
  name: string
  pass: boolean
  outcome: 'allow' | 'deny'
  routeId: string | undefined
  rule: string
  line: string
}

/** Evaluates one case with the server's own canonical request, route lookup and compiled policy. */
export function runCase(table: RouteTable, c: PolicyCase): CaseResult {
  const [, host = '', rest = ''] = ABSOLUTE.exec(c.request.url) ?? []
  const canon = canonicalize({ method: c.request.method, host, uri: rest === '' ? '/' : rest, clientIp: c.request.ip })
  let outcome: 'allow' | 'deny' = 'deny'
  let routeId: string | undefined
  let rule: string
  if (!canon.ok) {
    rule = `refused:${canon.refusal}`
  } else {
    const identity: Identity | undefined = c.user === undefined ? undefined : { ...c.user }
    const e = evaluate(table, canon.request, identity)
    switch (e.kind) {
      case 'no-route':
        rule = 'no-route'
        break
      case 'public':
        ;[outcome, routeId, rule] = ['allow', e.route.id, 'public']
        break
      case 'needs-login':
        ;[routeId, rule] = [e.route.id, 'login-required']
        break
      case 'decided':
        ;[outcome, routeId, rule] = [e.decision.allow ? 'allow' : 'deny', e.route.id, e.decision.rule]
        break
    }
  }
  const pass = outcome === c.expect && (c.rule === undefined || c.rule === rule) && (c.route === undefined || c.route === routeId)
  const wanted = [c.expect, c.route === undefined ? '' : `route ${c.route}`, c.rule === undefined ? '' : `rule ${c.rule}`].filter((x) => x !== '').join(', ')
  const got = `${outcome} ${c.request.method.toUpperCase()} ${c.request.url} → route ${routeId ?? '(none)'}, rule ${rule}`
  return { name: c.name, pass, outcome, routeId, rule, line: `${pass ? 'PASS' : 'FAIL'} ${c.name}: ${got}${pass ? '' : ` (expected ${wanted})`}` }
}
