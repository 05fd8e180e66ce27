import type { LoginParams } from '../auth/login-parameters.js'

/** What a login URL is made of beyond the endpoint: the flow's own parameters, the configured ones, and exceptions. */
export interface LoginQuery {
  /** redirect_uri, scope, client_id, response_type, state, nonce, PKCE...: each replaces the endpoint's own value. */
  readonly standard: Readonly<Record<string, string>>
  /** The provider's `loginURLParameters` (defaults and allowed overrides), added after the standard ones. */
  readonly extra: LoginParams
  /** Added only when `extra` has no value of that name (login.gov's default `acr_values`). */
  readonly fallback?: Readonly<Record<string, string>>
  /** Names removed at the end, every value of them (ADFS `skipScope` removes `scope`). */
  readonly omit?: readonly string[]
}

/**
 * oauth2-proxy's makeLoginURL: the endpoint's own query, the standard parameters set over it, the configured ones
 * added, all encoded sorted by name as Go's url.Values does (values of one name keep their order).
 */
export function buildLoginUrl(endpoint: string, query: LoginQuery): string {
  const url = new URL(endpoint)
  const pairs: [string, string][] = [...url.searchParams].filter(([k]) => !(k in query.standard))
  pairs.push(...Object.entries(query.standard))
  for (const [name, value] of Object.entries(query.fallback ?? {})) {
    if (!query.extra.some(([k]) => k === name)) pairs.push([name, value])
  }
  pairs.push(...query.extra.map(([k, v]): [string, string] => [k, v]))
  const omit = new Set(query.omit ?? [])
  const kept = pairs.filter(([k]) => !omit.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  url.search = new URLSearchParams(kept).toString()
  return url.toString()
}
