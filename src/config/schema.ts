import { z } from 'zod'
import { crossFieldProblems } from './cross-checks.js'
import { draftRegistry } from './define.js'
import { cfgFromCamel, envFromCfg, type OptionMeta, type OptionValue } from './option-meta.js'
import { configObject, configShape, type Config, type ConfigKey } from './shape.js'
import { SUPPORTED_OPTIONS } from './supported.js'

export type { Config, ConfigKey } from './shape.js'
export type { OptionGroup, OptionKind, OptionMeta, OptionValue } from './option-meta.js'

/** Complete metadata of every option, attached to its zod schema (flag, cfg key, env var, kind, default, group, docs, support). */
export const optionRegistry = z.registry<OptionMeta>()

function completeMeta(key: string, schema: z.ZodType): OptionMeta {
  const draft = draftRegistry.get(schema)
  if (draft === undefined) throw new Error(`config option ${key} was not built with defineOptions()`)
  const cfg = cfgFromCamel(key)
  const meta: OptionMeta = Object.freeze({ ...draft, key, cfg, env: envFromCfg(cfg), supported: SUPPORTED_OPTIONS.has(cfg) })
  optionRegistry.add(schema, meta)
  return meta
}

/** Every legacy option's metadata, in display order. */
export const OPTIONS: readonly OptionMeta[] = Object.freeze(Object.entries(configShape).map(([key, schema]) => completeMeta(key, schema)))

function indexBy(field: 'key' | 'flag' | 'cfg' | 'env'): ReadonlyMap<string, OptionMeta> {
  return new Map(OPTIONS.map((meta) => [meta[field], meta]))
}

/** Option metadata by Config field name. */
export const optionByKey: ReadonlyMap<string, OptionMeta> = indexBy('key')
/** Option metadata by flag name (without dashes). */
export const optionByFlag: ReadonlyMap<string, OptionMeta> = indexBy('flag')
/** Option metadata by cfg (TOML) key. */
export const optionByCfg: ReadonlyMap<string, OptionMeta> = indexBy('cfg')
/** Option metadata by environment variable name. */
export const optionByEnv: ReadonlyMap<string, OptionMeta> = indexBy('env')

/** True when a typed value equals the option's default (lists compared element by element). */
export function isDefaultValue(meta: OptionMeta, value: unknown): boolean {
  const def: OptionValue = meta.default
  if (Array.isArray(def)) return Array.isArray(value) && value.length === def.length && value.every((v, i) => v === def[i])
  return value === def
}

/**
 * The whole configuration schema: per-option types, defaults and value checks, then the rules that span options,
 * and a refusal of every option gatehouse does not implement yet when it is set to something other than its default.
 * The loader hands it values of the right types, so the cross-field rules always run (`when`), even after a value
 * failed its own check: every problem is reported in one go.
 */
export const configSchema = configObject.superRefine(
  (config: Config, ctx) => {
    for (const meta of OPTIONS) {
      if (!meta.supported && !isDefaultValue(meta, config[meta.key as ConfigKey])) {
        ctx.addIssue({ code: 'custom', path: [meta.key], message: `--${meta.flag} is not supported yet by gatehouse` })
      }
    }
    for (const problem of crossFieldProblems(config)) ctx.addIssue({ code: 'custom', path: [problem.key], message: problem.message })
  },
  { when: (payload) => payload.value !== null && typeof payload.value === 'object' },
)
