import { readFileSync } from 'node:fs'
import type { ConfigIssue } from '../../errors.js'
import { buildStructured } from './build.js'
import { decode, type PathIssue } from './decode.js'
import { substituteEnv } from './envsubst.js'
import { ALPHA_SPEC } from './spec.js'
import type { LabelOf } from './to-settings.js'
import type { GatehouseExtensions, StructuredConfig } from './types.js'
import { structuredIssues } from './validate.js'
import { parseYaml } from './yaml-text.js'

/**
 * What reading `--alpha-config` gave: the structured form (undefined when the file could not be read or parsed, or
 * holds only gatehouse's own keys), and gatehouse's own top-level keys as written.
 */
export interface AlphaFileResult {
  readonly structured: StructuredConfig | undefined
  /**
   * True when the file holds none of oauth2-proxy's alpha keys, only gatehouse's `routes` and `sites`: such a file adds
   * routes to a legacy configuration (flags, env, cfg) instead of replacing its upstreams, headers and providers.
   */
  readonly extensionsOnly: boolean
  readonly extensions: GatehouseExtensions
  readonly issues: readonly ConfigIssue[]
  readonly labelOf: LabelOf
}

/** gatehouse's own top-level keys; every other key of the file is oauth2-proxy's. */
const EXTENSION_KEYS: ReadonlySet<string> = new Set(['routes', 'sites'])

/** The upstream indexes whose entry sets `staticCode` (oauth2-proxy refuses it on a non-static upstream). */
function staticCodeIndexes(value: unknown): Set<number> {
  const list = (value as { upstreamConfig?: { upstreams?: unknown } } | null)?.upstreamConfig?.upstreams
  const out = new Set<number>()
  if (Array.isArray(list)) list.forEach((u, i) => {
    if (u !== null && typeof u === 'object' && Object.keys(u).some((k) => k.toLowerCase() === 'staticcode')) out.add(i)
  })
  return out
}

/**
 * Loads an alpha YAML file as oauth2-proxy does: `${VAR}` substitution, YAML 1.2, unknown keys refused with their
 * path, types checked, secret sources read, then the structured checks. Every problem is returned, none thrown.
 */
export function loadAlphaFile(file: string, env: Readonly<Record<string, string | undefined>>): AlphaFileResult {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory, not a file' : (err as Error).message
    return { structured: undefined, extensionsOnly: false, extensions: {}, issues: [{ option: '--alpha-config', value: file, message: `cannot read the alpha config file: ${why}` }], labelOf: (p) => p }
  }
  const parsed = parseYaml(substituteEnv(text, env))
  const labelOf: LabelOf = (path) => {
    const at = parsed.positionOf(path)
    return at === undefined ? `${file} ${path}` : `${file}:${at.line}:${at.col} ${path}`
  }
  if (parsed.errors.length > 0) {
    return { structured: undefined, extensionsOnly: false, extensions: {}, issues: parsed.errors.map((e) => ({ option: `${file}:${e.line}:${e.col}`, message: `YAML syntax error: ${e.message}` })), labelOf }
  }
  const top = parsed.value !== null && typeof parsed.value === 'object' && !Array.isArray(parsed.value) ? (parsed.value as Record<string, unknown>) : undefined
  if (top !== undefined && Object.keys(top).length > 0 && Object.keys(top).every((k) => EXTENSION_KEYS.has(k))) {
    const extensions: GatehouseExtensions = { ...(top['routes'] === undefined ? {} : { routes: top['routes'] }), ...(top['sites'] === undefined ? {} : { sites: top['sites'] }) }
    return { structured: undefined, extensionsOnly: true, extensions, issues: [], labelOf }
  }
  const pathIssues: PathIssue[] = []
  const root = parsed.value === undefined || parsed.value === null ? {} : parsed.value
  const decoded = decode(root, ALPHA_SPEC, '', pathIssues)
  const structured = buildStructured(decoded, { env, issues: pathIssues })
  pathIssues.push(...structuredIssues(structured, staticCodeIndexes(root)))
  return { structured, extensionsOnly: false, extensions: structured.extensions, issues: pathIssues.map((i) => ({ option: labelOf(i.path), message: i.message })), labelOf }
}
