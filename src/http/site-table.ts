import { canonicalHost } from '../policy/canonical.js'

/** What one site changes for its hosts; a field left undefined keeps the global option. */
export interface Site {
  /** Replaces `--cookie-domain` for the site's hosts. */
  readonly cookieDomain: string | undefined
  /** Replaces `--redirect-url` for the site's hosts. */
  readonly redirectUrl: string | undefined
  /** The provider ids offered on the site's sign-in page; undefined: every provider. */
  readonly providers: readonly string[] | undefined
}

/** The sites by request host: exact names first, then the longest `*.domain` that covers the host. */
export interface SiteTable {
  find(host: string): Site | undefined
}

/** Bound on the per-host cache: hosts come from clients, so it must not grow with them. */
const CACHE_LIMIT = 1024

/** Compiles the `sites:` entries (hosts already lower-cased and validated as unique) into a lookup by request host. */
export function createSiteTable(specs: readonly { hosts: readonly string[]; cookieDomain?: string | undefined; redirectUrl?: string | undefined; providers?: readonly string[] | undefined }[]): SiteTable {
  const exact = new Map<string, Site>()
  const wildcards: { suffix: string; site: Site }[] = []
  for (const spec of specs) {
    const site: Site = Object.freeze({ cookieDomain: spec.cookieDomain, redirectUrl: spec.redirectUrl, providers: spec.providers === undefined ? undefined : Object.freeze([...spec.providers]) })
    for (const h of spec.hosts) {
      if (h.startsWith('*.')) wildcards.push({ suffix: h.slice(1), site })
      else exact.set(h, site)
    }
  }
  wildcards.sort((a, b) => b.suffix.length - a.suffix.length)
  const cache = new Map<string, Site | undefined>()
  return {
    find(rawHost) {
      if (cache.has(rawHost)) return cache.get(rawHost)
      const host = canonicalHost(rawHost)
      // `*.example.com` covers every name under example.com, not example.com itself (as routes' hosts).
      const site = host === undefined ? undefined : (exact.get(host) ?? wildcards.find((w) => host.endsWith(w.suffix) && host.length > w.suffix.length)?.site)
      if (cache.size >= CACHE_LIMIT) cache.clear()
      cache.set(rawHost, site)
      return site
    },
  }
}
