import { z } from 'zod'
import type { ConfigIssue } from '../errors.js'
import type { SpecIssue } from '../policy/spec.js'
import { fileIssues } from './routes.js'
import type { Config } from './shape.js'

const nonEmpty = z.string().min(1, 'must not be empty')
const HOST = /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/
const host = nonEmpty
  .transform((h) => h.toLowerCase().replace(/\.$/, ''))
  .refine((h) => HOST.test(h), 'must be a host name without port (exact, or *.example.com for every subdomain)')
const domain = nonEmpty
  .transform((d) => d.toLowerCase().replace(/^\./, ''))
  .refine((d) => HOST.test(d) && !d.startsWith('*.'), 'must be a domain name such as example.com (no scheme, port or wildcard)')
const redirectUrl = nonEmpty.refine(
  (u) => /^\/(?![/\\])/.test(u) || /^https?:\/\/[^/\\?#]+\/[^?#]*$/i.test(u),
  'must be an absolute http(s) URL with a path, such as https://app.example.com/oauth2/callback, or a path',
)

const siteSchema = z.strictObject({
  hosts: z.array(host).min(1, 'must list at least one host'),
  cookieDomain: domain.optional(),
  redirectUrl: redirectUrl.optional(),
  providers: z.array(nonEmpty).min(1, 'must list at least one provider id').optional(),
})

/** One site as written: the hosts it covers and what differs for them. */
export type SiteSpec = z.infer<typeof siteSchema>

const sitesBy = new WeakMap<Config, readonly SiteSpec[]>()

/** Records the sites loadConfig read and validated for this configuration. */
export function attachSites(config: Config, sites: readonly SiteSpec[]): void {
  sitesBy.set(config, sites)
}

/** The `sites:` of a configuration's `--alpha-config` file, or undefined when it has none. */
export function sitesOf(config: Config): readonly SiteSpec[] | undefined {
  return sitesBy.get(config)
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = 'sites'
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`
  return out
}

/** True when the cookie domain covers the host pattern (`*.a.example.com` and `a.example.com` under `example.com`). */
function covers(cookieDomain: string, pattern: string): boolean {
  const name = pattern.startsWith('*.') ? pattern.slice(2) : pattern
  return name === cookieDomain || name.endsWith(`.${cookieDomain}`)
}

/** Every rule a site must keep beyond its shape: unique hosts, a cookie domain over its hosts, known providers. */
function crossChecks(sites: readonly (SiteSpec | undefined)[], providers: ReadonlySet<string>): SpecIssue[] {
  const issues: SpecIssue[] = []
  const owner = new Map<string, number>()
  sites.forEach((site, i) => {
    if (site === undefined) return
    site.hosts.forEach((h, j) => {
      const first = owner.get(h)
      if (first !== undefined) issues.push({ path: `sites[${i}].hosts[${j}]`, value: h, message: `host already belongs to sites[${first}]; a host names one site` })
      else owner.set(h, i)
      if (site.cookieDomain !== undefined && !covers(site.cookieDomain, h)) {
        issues.push({ path: `sites[${i}].cookieDomain`, value: site.cookieDomain, message: `does not cover host ${JSON.stringify(h)}: browsers would refuse the cookie; use a domain the host ends with` })
      }
    })
    site.providers?.forEach((p, j) => {
      if (!providers.has(p)) issues.push({ path: `sites[${i}].providers[${j}]`, value: p, message: `unknown provider id; known: ${[...providers].map((x) => JSON.stringify(x)).join(', ')}` })
    })
  })
  return issues
}

/** Validates the raw `sites:` value against the provider ids; every problem (of every site) at once, with its path. */
export function parseSites(raw: unknown, providers: ReadonlySet<string>): { sites: SiteSpec[]; issues: SpecIssue[] } {
  if (raw === undefined || raw === null) return { sites: [], issues: [] }
  if (!Array.isArray(raw)) return { sites: [], issues: [{ path: 'sites', message: 'must be a list of sites ({ hosts, cookieDomain, redirectUrl, providers })' }] }
  const issues: SpecIssue[] = []
  const parsed = raw.map((item: unknown, i): SiteSpec | undefined => {
    const result = siteSchema.safeParse(item)
    if (result.success) return result.data
    for (const issue of result.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined]
      for (const key of keys) {
        const path = pathOf(key === undefined ? [i, ...issue.path] : [i, ...issue.path, key])
        issues.push({ path, message: key === undefined ? issue.message : 'unknown key; a site has hosts, cookieDomain, redirectUrl and providers' })
      }
    }
    return undefined
  })
  issues.push(...crossChecks(parsed, providers))
  return { sites: parsed.filter((s): s is SiteSpec => s !== undefined), issues }
}

/** The `sites:` of the `--alpha-config` file as ConfigIssues naming the file and the path. */
export function sitesFromRaw(raw: unknown, providers: ReadonlySet<string>, file: string): { sites: SiteSpec[] | undefined; issues: ConfigIssue[] } {
  if (raw === undefined) return { sites: undefined, issues: [] }
  const { sites, issues } = parseSites(raw, providers)
  return { sites: issues.length > 0 ? undefined : sites, issues: fileIssues(issues, file) }
}
