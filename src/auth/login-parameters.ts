import type { LoginUrlParameter } from '../config/alpha/types.js'
import { compileGoRegex } from './routes.js'

/** Query parameters added to the IdP login URL, in order; a name may repeat (Go's url.Values). */
export type LoginParams = readonly (readonly [string, string])[]

/** A provider's `loginURLParameters`, compiled: the defaults, and which `/oauth2/start` values may replace them. */
export interface LoginParameters {
  /**
   * oauth2-proxy's LoginURLParams: the defaults, where each parameter with allow rules takes the values of
   * `overrides` that match a rule instead (values that match none are dropped; when none match, the default stays).
   * Without overrides (a login started from a protected page) only the defaults are sent.
   */
  resolve(overrides?: URLSearchParams): LoginParams
}

/** Go's regexp.QuoteMeta, so a `value` rule matches exactly its text. */
function quoteMeta(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')
}

/** One regex for a parameter's allow rules: `^value$` for values, `(?:pattern)` (unanchored) for patterns. */
function allowRegex(param: LoginUrlParameter): RegExp {
  const parts = param.allow.map((rule) => (rule.value !== undefined ? `^${quoteMeta(rule.value)}$` : `(?:${rule.pattern ?? ''})`))
  return compileGoRegex(parts.join('|'))
}

/**
 * Compiles `loginURLParameters` as oauth2-proxy's compileLoginParams does. The configuration was validated first
 * (names unique, each rule exactly one of value or pattern, patterns that compile).
 */
export function compileLoginParameters(params: readonly LoginUrlParameter[]): LoginParameters {
  const defaults = new Map<string, readonly string[]>()
  const overrides = new Map<string, RegExp>()
  for (const param of params) {
    if (defaults.has(param.name) || overrides.has(param.name)) continue
    if (param.default.length > 0) defaults.set(param.name, param.default)
    if (param.allow.length > 0) overrides.set(param.name, allowRegex(param))
  }
  return {
    resolve(query) {
      const chosen = new Map(defaults)
      if (query !== undefined) {
        for (const [name, re] of overrides) {
          const accepted = query.getAll(name).filter((v) => re.test(v))
          if (accepted.length > 0) chosen.set(name, accepted)
        }
      }
      return [...chosen].flatMap(([name, values]) => values.map((v) => [name, v] as const))
    },
  }
}
