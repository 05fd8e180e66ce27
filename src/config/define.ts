import { z } from 'zod'
import { parseGoDuration } from './duration.js'
import type { OptionDraft, OptionGroup } from './option-meta.js'

/** Metadata written beside each option's zod schema; `schema.ts` completes it into the option registry. */
export const draftRegistry = z.registry<OptionDraft>()

/** Returns a problem message for a bad value, or undefined when it is fine. */
export type ValueCheck = (value: string) => string | undefined

interface Extra {
  /** Never echo the value in messages. */
  secret?: boolean
  /** Validation of one value (each element, for lists). */
  check?: ValueCheck
  /** The option that replaces this deprecated one. */
  replacedBy?: string
}

/** Renders a list of accepted values for messages and docs; the empty string shows as `""`. */
export function describeChoices(choices: readonly string[]): string {
  return choices.map((c) => (c === '' ? '""' : c)).join(', ')
}

function checked(check: ValueCheck | undefined): z.ZodString {
  const base = z.string()
  if (check === undefined) return base
  return base.superRefine((value, ctx) => {
    const problem = check(value)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
  })
}

function draft(group: OptionGroup, flag: string, fields: Omit<OptionDraft, 'group' | 'flag' | 'secret'>, extra: Extra): OptionDraft {
  return {
    flag,
    group,
    ...fields,
    secret: extra.secret ?? false,
    ...(extra.replacedBy === undefined ? {} : { replacedBy: extra.replacedBy }),
  }
}

/** Builders for the options of one group: each returns a zod schema with its default, registered with its metadata. */
export function defineOptions(group: OptionGroup) {
  return {
    /** A free-text option. */
    string(flag: string, def: string, description: string, extra: Extra = {}) {
      return checked(extra.check).default(def).register(draftRegistry, draft(group, flag, { kind: 'string', default: def, description }, extra))
    },
    /** A string limited to a fixed set of values (case-sensitive, as oauth2-proxy compares them). */
    choice<const T extends readonly [string, ...string[]]>(flag: string, choices: T, def: T[number], description: string, extra: Extra = {}) {
      const message = `must be one of: ${describeChoices(choices)}`
      return z
        .enum(choices, { error: () => message })
        .default(def)
        .register(draftRegistry, draft(group, flag, { kind: 'string', default: def, description, choices }, extra))
    },
    /** A boolean flag: `--flag`, `--flag=false`. */
    bool(flag: string, def: boolean, description: string, extra: Extra = {}) {
      return z.boolean().default(def).register(draftRegistry, draft(group, flag, { kind: 'bool', default: def, description }, extra))
    },
    /** A string list: repeated or comma-separated flags, comma-separated env, TOML array. */
    list(flag: string, description: string, extra: Extra & { default?: readonly string[] } = {}) {
      const def = extra.default ?? []
      return z
        .array(checked(extra.check))
        .default(() => [...def])
        .register(draftRegistry, draft(group, flag, { kind: 'list', default: def, description }, extra))
    },
    /** A Go duration, held in milliseconds; `def` is written in Go syntax. */
    duration(flag: string, def: string, description: string, extra: Extra = {}) {
      const parsed = parseGoDuration(def)
      if (!parsed.ok) throw new Error(`bad default duration for --${flag}: ${parsed.problem}`)
      return z
        .number()
        .min(0, 'must not be negative')
        .default(parsed.ms)
        .register(draftRegistry, draft(group, flag, { kind: 'duration', default: parsed.ms, description }, extra))
    },
    /** A whole number; `min` bounds it below. */
    int(flag: string, def: number, description: string, extra: Extra & { min?: number } = {}) {
      const base = z.number().int('must be a whole number')
      const bounded = extra.min === undefined ? base : base.min(extra.min, `must be at least ${extra.min}`)
      return bounded.default(def).register(draftRegistry, draft(group, flag, { kind: 'int', default: def, description }, extra))
    },
  }
}
