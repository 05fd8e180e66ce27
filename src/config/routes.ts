import { readFileSync } from 'node:fs'
import type { ConfigIssue } from '../errors.js'
import { analyzeRoutes } from '../policy/analyze.js'
import { parseRoutesSpec, type KnownIds, type RoutesSpec, type SpecIssue } from '../policy/spec.js'
import { parseYaml } from './alpha/yaml-text.js'
import type { Config } from './shape.js'

const routesByConfig = new WeakMap<Config, RoutesSpec>()

/** Records the routes loadConfig read and validated for this configuration. */
export function attachRoutes(config: Config, spec: RoutesSpec): void {
  routesByConfig.set(config, spec)
}

/** The routes of a configuration (from its `--alpha-config` file), or undefined when it has none. */
export function routesOf(config: Config): RoutesSpec | undefined {
  return routesByConfig.get(config)
}

/** Problems found at a path of the `--alpha-config` file, as ConfigIssues naming the file and the path. */
export function fileIssues(issues: readonly SpecIssue[], file: string): ConfigIssue[] {
  return issues.map((i) => (i.value === undefined ? { option: `${file} ${i.path}`, message: i.message } : { option: `${file} ${i.path}`, value: i.value, message: i.message }))
}

/** The routes of the `--alpha-config` file (its raw `routes:` value), validated against the known ids, with their load-time warnings. */
export function routesFromRaw(raw: unknown, known: KnownIds, file: string): { spec: RoutesSpec | undefined; issues: ConfigIssue[]; warnings: string[] } {
  if (raw === undefined) return { spec: undefined, issues: [], warnings: [] }
  const { spec, issues } = parseRoutesSpec(raw, known)
  if (issues.length > 0) {
    return { spec: undefined, issues: fileIssues(issues, file), warnings: [] }
  }
  return { spec, issues: [], warnings: analyzeRoutes(spec).map((w) => `${file}: ${w}`) }
}

/** Reads and parses one YAML file (duplicate keys refused); problems name the option, the file and the line. */
export function readYamlFile(path: string, what: string, option: string): { value: unknown; issues: ConfigIssue[] } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message
    return { value: undefined, issues: [{ option, value: path, message: `cannot read the ${what}: ${why}` }] }
  }
  const parsed = parseYaml(text)
  return { value: parsed.value, issues: parsed.errors.map((e) => ({ option: `${path}:${e.line}:${e.col}`, message: `YAML syntax error: ${e.message}` })) }
}
