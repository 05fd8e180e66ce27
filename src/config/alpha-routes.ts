import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { ConfigIssue } from '../errors.js'
import { analyzeRoutes } from '../policy/analyze.js'
import { parseRoutesSpec, type KnownIds, type RoutesSpec } from '../policy/spec.js'

/** Reads and parses one YAML file (duplicate keys refused); problems name the option and the file. */
export function readYamlFile(path: string, what = 'file', option = '--alpha-config'): { value: unknown; issues: ConfigIssue[] } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message
    return { value: undefined, issues: [{ option, value: path, message: `cannot read the ${what}: ${why}` }] }
  }
  try {
    return { value: parse(text, { prettyErrors: true, uniqueKeys: true }), issues: [] }
  } catch (err) {
    return { value: undefined, issues: [{ option, value: path, message: `not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}` }] }
  }
}

/**
 * Reads only the top-level `routes:` value of the `--alpha-config` YAML file (other keys are ignored here); the
 * routes parser validates it. Undefined routes when the file has none.
 */
export function readAlphaRoutes(path: string): { routes: unknown; issues: ConfigIssue[] } {
  const { value: doc, issues } = readYamlFile(path)
  if (issues.length > 0 || doc === null || doc === undefined) return { routes: undefined, issues }
  if (typeof doc !== 'object' || Array.isArray(doc)) return { routes: undefined, issues: [{ option: '--alpha-config', value: path, message: 'the file must be a YAML mapping (routes: [...])' }] }
  return { routes: (doc as Record<string, unknown>)['routes'], issues: [] }
}

/** The routes of an `--alpha-config` file, validated against the known ids, with their load-time warnings. */
export function loadRoutesFile(path: string, known: KnownIds): { spec: RoutesSpec | undefined; issues: ConfigIssue[]; warnings: string[] } {
  const read = readAlphaRoutes(path)
  if (read.issues.length > 0 || read.routes === undefined) return { spec: undefined, issues: read.issues, warnings: [] }
  const { spec, issues } = parseRoutesSpec(read.routes, known)
  if (issues.length > 0) {
    return { spec: undefined, issues: issues.map((i) => (i.value === undefined ? { option: i.path, message: i.message } : { option: i.path, value: i.value, message: i.message })), warnings: [] }
  }
  return { spec, issues: [], warnings: analyzeRoutes(spec).map((w) => `${path}: ${w}`) }
}
