import { regexProblem } from './formats.js'
import type { OptionMeta } from './option-meta.js'
import { optionByCfg, optionByKey } from './schema.js'
import type { Layer, Setting } from './setting.js'

/** Old cfg keys (and their OAUTH2_PROXY_* names) that feed a current option; they have no flag of their own. */
export const LEGACY_KEYS: ReadonlyMap<string, string> = new Map([['google_group', 'google_groups']])

/** The option a legacy cfg key feeds, if it is one. */
export function legacyTarget(cfg: string): OptionMeta | undefined {
  const target = LEGACY_KEYS.get(cfg)
  return target === undefined ? undefined : optionByCfg.get(target)
}

/** Adds a legacy key's list items to its target in the same layer, keeping each item's origin. */
export function addLegacyItems(layer: Layer, target: OptionMeta, items: readonly string[], label: string): void {
  const current = layer.get(target.key)
  const before = current === undefined ? [] : (current.value as readonly string[])
  const labels = current === undefined ? [] : (current.itemLabels ?? before.map(() => current.label))
  const value = [...before, ...items]
  layer.set(target.key, { value, label: current?.label ?? label, display: value.join(','), itemLabels: [...labels, ...items.map(() => label)] })
}

function deprecationWarning(old: OptionMeta, label: string): string {
  const replacement = old.replacedBy === undefined ? undefined : optionByCfg.get(old.replacedBy)
  const use = replacement === undefined ? '' : `; use --${replacement.flag} (${replacement.cfg}, ${replacement.env})`
  return `${label} is deprecated${use}`
}

/** skip_auth_regex entries become skip-auth routes for every method; one with "=" gets the leading "=" the route syntax needs. */
function routeFromRegex(regex: string): string {
  return regex.includes('=') ? `=${regex}` : regex
}

/**
 * Folds deprecated options into their replacements after the sources are merged, with one warning each:
 * force_code_challenge_method fills an empty code_challenge_method; skip_auth_regex is appended to skip_auth_routes.
 * Regexes that do not compile are left for skip_auth_regex's own check to report.
 */
export function applyDeprecatedOptions(merged: Layer, warnings: string[]): void {
  const force = merged.get('forceCodeChallengeMethod')
  if (force !== undefined) {
    warnings.push(deprecationWarning(optionByKey.get('forceCodeChallengeMethod') as OptionMeta, force.label))
    const current = merged.get('codeChallengeMethod')
    // A bad value is reported once, on the deprecated option itself.
    const valid = force.value === 'S256' || force.value === 'plain'
    if ((current === undefined || current.value === '') && valid) merged.set('codeChallengeMethod', { ...force })
  }
  const regexes = merged.get('skipAuthRegex')
  if (regexes !== undefined) {
    warnings.push(deprecationWarning(optionByKey.get('skipAuthRegex') as OptionMeta, regexes.label))
    const routes: Setting = merged.get('skipAuthRoutes') ?? { value: [], label: regexes.label, display: '' }
    const before = routes.value as readonly string[]
    const labels = routes.itemLabels ?? before.map(() => routes.label)
    const value = [...before]
    const itemLabels = [...labels]
    ;(regexes.value as readonly string[]).forEach((regex, i) => {
      if (regexProblem(regex) !== undefined) return
      value.push(routeFromRegex(regex))
      itemLabels.push(regexes.itemLabels?.[i] ?? regexes.label)
    })
    merged.set('skipAuthRoutes', { value, label: routes.label, display: value.join(','), itemLabels })
  }
}
