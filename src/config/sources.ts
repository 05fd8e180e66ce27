import { parse as parseToml, TomlError } from 'smol-toml'
import type { FlagOccurrence } from './argv.js'
import { legacyTarget, addLegacyItems, LEGACY_KEYS } from './legacy.js'
import { ENV_PREFIX } from './option-meta.js'
import { optionByCfg, optionByEnv, optionByFlag } from './schema.js'
import { displayOf, valueIssue, type LayerResult } from './setting.js'
import { closest, didYouMean } from './suggest.js'
import { fromText, fromToml } from './values.js'

function emptyResult(): LayerResult {
  return { layer: new Map(), issues: [], warnings: [] }
}

function legacyWarning(oldName: string, newName: string): string {
  return `${oldName} is deprecated; use ${newName}`
}

/** Settings from the command line: the last value of a flag wins, list flags add up across repetitions. */
export function flagLayer(occurrences: readonly FlagOccurrence[]): LayerResult {
  const out = emptyResult()
  for (const { meta, text } of occurrences) {
    const label = `--${meta.flag}`
    const converted = fromText(meta, text, 'flag')
    if (!converted.ok) {
      out.issues.push(valueIssue(meta, label, text, converted.problem))
      continue
    }
    const previous = out.layer.get(meta.key)
    if (meta.kind === 'list' && previous !== undefined) {
      const value = [...(previous.value as readonly string[]), ...(converted.value as readonly string[])]
      out.layer.set(meta.key, { value, label, display: displayOf(meta, value) })
    } else {
      out.layer.set(meta.key, { value: converted.value, label, display: displayOf(meta, converted.value, text) })
    }
  }
  return out
}

/**
 * Settings from `OAUTH2_PROXY_<CFG_KEY>` variables. Empty variables count as unset (viper's default);
 * unknown OAUTH2_PROXY_* variables are ignored with a warning.
 */
export function envLayer(env: Readonly<Record<string, string | undefined>>): LayerResult {
  const out = emptyResult()
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || text === undefined || text === '') continue
    const meta = optionByEnv.get(name)
    if (meta !== undefined) {
      const converted = fromText(meta, text, 'env')
      if (!converted.ok) out.issues.push(valueIssue(meta, name, text, converted.problem))
      else out.layer.set(meta.key, { value: converted.value, label: name, display: displayOf(meta, converted.value, text) })
      continue
    }
    const target = legacyTarget(name.slice(ENV_PREFIX.length).toLowerCase())
    if (target !== undefined && name === name.toUpperCase()) {
      out.warnings.push(legacyWarning(name, target.env))
      addLegacyItems(out.layer, target, text.split(','), name)
      continue
    }
    const near = closest(name.slice(ENV_PREFIX.length), [...optionByCfg.keys(), ...LEGACY_KEYS.keys()].map((cfg) => cfg.toUpperCase()))
    out.warnings.push(`${name} is not an oauth2-proxy option and is ignored${didYouMean(near === undefined ? undefined : ENV_PREFIX + near)}`)
  }
  return out
}

function suggestKey(key: string): string | undefined {
  const normalized = key.replace(/-/g, '_').toLowerCase()
  if (normalized !== key && optionByCfg.has(normalized)) return normalized
  const viaFlag = optionByFlag.get(key.replace(/_/g, '-').toLowerCase())
  if (viaFlag !== undefined) return viaFlag.cfg
  return closest(key, optionByCfg.keys())
}

/** Where a TOML parse error is, for the message. */
function tomlProblem(err: unknown): string {
  if (err instanceof TomlError) {
    const first = err.message.split('\n')[0] ?? err.message
    return `not valid TOML at line ${err.line}, column ${err.column}: ${first.replace(/^Invalid TOML document: /, '')}`
  }
  return `not valid TOML: ${(err as Error).message}`
}

/** Settings from a cfg file's text (TOML with viper's weak typing); unknown keys are problems, as in oauth2-proxy. */
export function fileLayer(file: string, text: string): LayerResult {
  const out = emptyResult()
  let doc: Record<string, unknown>
  try {
    doc = parseToml(text)
  } catch (err) {
    out.issues.push({ option: '--config', value: file, message: tomlProblem(err) })
    return out
  }
  for (const [key, raw] of Object.entries(doc)) {
    const label = `cfg key "${key}" in ${file}`
    const meta = optionByCfg.get(key)
    if (meta !== undefined) {
      const converted = fromToml(meta, raw)
      if (!converted.ok) out.issues.push(valueIssue(meta, label, typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw), converted.problem))
      else out.layer.set(meta.key, { value: converted.value, label, display: displayOf(meta, converted.value) })
      continue
    }
    const target = legacyTarget(key)
    if (target !== undefined) {
      const converted = fromToml(target, raw)
      if (!converted.ok) {
        out.issues.push(valueIssue(target, label, JSON.stringify(raw) ?? String(raw), converted.problem))
        continue
      }
      out.warnings.push(legacyWarning(label, `${target.cfg}`))
      addLegacyItems(out.layer, target, converted.value as readonly string[], label)
      continue
    }
    out.issues.push({ option: '--config', message: `unknown key "${key}" in ${file}${didYouMean(suggestKey(key))}` })
  }
  return out
}
