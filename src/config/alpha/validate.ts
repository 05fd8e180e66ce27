import { compileGoRegex } from '../../auth/routes.js'
import { headerNameProblem } from '../formats.js'
import type { PathIssue } from './decode.js'
import type { HeaderInjection, StructuredConfig, UpstreamEntry } from './types.js'

function regexIssue(source: string, path: string): PathIssue | undefined {
  try {
    compileGoRegex(source)
    return undefined
  } catch (err) {
    return { path, message: `${JSON.stringify(source)} is not a valid regular expression: ${(err as Error).message}` }
  }
}

const UPSTREAM_SCHEMES = new Set(['http', 'https', 'h2c', 'file', 'unix'])

/** oauth2-proxy's validateUpstream, plus a rewrite path that must compile. */
function upstreamIssues(u: UpstreamEntry, at: string, ids: Set<string>, paths: Set<string>, staticCodeSet: boolean): PathIssue[] {
  const out: PathIssue[] = []
  if (u.id === '') out.push({ path: `${at}.id`, message: 'upstream has empty id: ids are required for all upstreams' })
  if (u.path === '') out.push({ path: `${at}.path`, message: `upstream ${JSON.stringify(u.id)} has empty path: paths are required for all upstreams` })
  if (u.id !== '' && ids.has(u.id)) out.push({ path: `${at}.id`, message: `multiple upstreams found with id ${JSON.stringify(u.id)}: upstream ids must be unique` })
  if (u.path !== '' && paths.has(u.path)) out.push({ path: `${at}.path`, message: `multiple upstreams found with path ${JSON.stringify(u.path)}: upstream paths must be unique` })
  ids.add(u.id)
  paths.add(u.path)
  if (u.rewriteTarget !== '' && u.path !== '') {
    const problem = regexIssue(u.path, `${at}.path`)
    if (problem !== undefined) out.push(problem)
  }
  if (!u.static && staticCodeSet) out.push({ path: `${at}.staticCode`, message: `upstream ${JSON.stringify(u.id)} has staticCode (${u.staticCode}), but is not a static upstream, set 'static' for a static response` })
  if (u.static) {
    if (u.staticCode < 100 || u.staticCode > 999) out.push({ path: `${at}.staticCode`, message: 'must be an HTTP status code (100 to 999)' })
    return out
  }
  if (u.uri === '') {
    out.push({ path: `${at}.uri`, message: `upstream ${JSON.stringify(u.id)} has empty uri: uris are required for all non-static upstreams` })
    return out
  }
  let url: URL
  try {
    url = new URL(u.uri)
  } catch {
    out.push({ path: `${at}.uri`, message: `upstream ${JSON.stringify(u.id)} has invalid uri ${JSON.stringify(u.uri)}` })
    return out
  }
  const scheme = url.protocol.slice(0, -1)
  if (!UPSTREAM_SCHEMES.has(scheme)) out.push({ path: `${at}.uri`, message: `upstream ${JSON.stringify(u.id)} has invalid scheme: ${JSON.stringify(scheme)} (use http, https, h2c, file or unix)` })
  else if ((scheme === 'http' || scheme === 'https' || scheme === 'h2c') && url.hostname === '') out.push({ path: `${at}.uri`, message: 'the URL has no host' })
  else if (scheme === 'unix' && (url.pathname === '' || url.pathname === '/')) out.push({ path: `${at}.uri`, message: 'unix upstreams need a socket path: unix:///path/to.sock' })
  return out
}

function headerIssues(headers: readonly HeaderInjection[], path: string): PathIssue[] {
  const out: PathIssue[] = []
  const seen = new Map<string, number>()
  headers.forEach((h, i) => {
    if (h.name === '') return
    const problem = headerNameProblem(h.name)
    if (problem !== undefined) out.push({ path: `${path}[${i}].name`, message: problem })
    const key = h.name.toLowerCase()
    const first = seen.get(key)
    // oauth2-proxy's validateHeaders: "multiple headers found with name".
    if (first !== undefined) out.push({ path: `${path}[${i}].name`, message: `multiple headers found with name ${JSON.stringify(h.name)} (also ${path}[${first}]): header names must be unique` })
    else seen.set(key, i)
  })
  return out
}

/**
 * Every rule oauth2-proxy's validation applies to the structured parts, with its path: upstream ids and paths,
 * rewrite regexes, URIs, header names, provider ids (required, unique) and loginURLParameters rules.
 * `staticCodeSet` lists the upstream indexes whose file set `staticCode`.
 */
export function structuredIssues(s: StructuredConfig, staticCodeSet: ReadonlySet<number>): PathIssue[] {
  const out: PathIssue[] = []
  const ids = new Set<string>()
  const paths = new Set<string>()
  s.upstreamConfig.upstreams.forEach((u, i) => out.push(...upstreamIssues(u, `upstreamConfig.upstreams[${i}]`, ids, paths, staticCodeSet.has(i))))
  out.push(...headerIssues(s.injectRequestHeaders, 'injectRequestHeaders'), ...headerIssues(s.injectResponseHeaders, 'injectResponseHeaders'))
  if (s.providers.length === 0) out.push({ path: 'providers', message: 'at least one provider is required' })
  const providerIds = new Map<string, number>()
  s.providers.forEach((p, i) => {
    const at = `providers[${i}]`
    if (p.id === '') out.push({ path: `${at}.id`, message: 'provider has empty id: ids are required for all providers' })
    const first = providerIds.get(p.id)
    if (p.id !== '' && first !== undefined) out.push({ path: `${at}.id`, message: `multiple providers found with id ${JSON.stringify(p.id)} (also providers[${first}]): provider ids must be unique` })
    else providerIds.set(p.id, i)
    const names = new Map<string, number>()
    p.loginURLParameters.forEach((param, j) => {
      const pat = `${at}.loginURLParameters[${j}]`
      if (param.name === '') out.push({ path: `${pat}.name`, message: 'every login URL parameter needs a name' })
      const earlier = names.get(param.name)
      // oauth2-proxy's compileLoginParams: "parameter %s provided more than once in loginURLParameters".
      if (param.name !== '' && earlier !== undefined) out.push({ path: `${pat}.name`, message: `parameter ${param.name} provided more than once in loginURLParameters (also ${at}.loginURLParameters[${earlier}]): merge them into one entry` })
      else names.set(param.name, j)
      param.allow.forEach((rule, k) => {
        const rat = `${pat}.allow[${k}]`
        if ((rule.value === undefined) === (rule.pattern === undefined)) out.push({ path: rat, message: 'set exactly one of value or pattern' })
        if (rule.pattern !== undefined) {
          const problem = regexIssue(rule.pattern, `${rat}.pattern`)
          if (problem !== undefined) out.push(problem)
        }
      })
    })
  })
  return out
}
