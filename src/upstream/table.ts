import { compileGoRegex } from '../auth/routes.js'
import type { UpstreamConfig } from '../config/alpha/types.js'
import { ConfigError, type ConfigIssue } from '../errors.js'
import { cleanPath, decodePath, encodePath } from './path.js'
import { rewriteUri, type Rewrite } from './rewrite.js'

/** One upstream's forwarding options (alpha `upstreamConfig.upstreams[]`); absent, the forwarder's defaults apply. */
export interface UpstreamOptions {
  readonly passHostHeader: boolean
  readonly insecureSkipVerify: boolean
  readonly timeoutMs: number
  readonly flushIntervalMs: number
  readonly keepAlive: boolean
  readonly proxyWebSockets: boolean
}

interface TargetBase {
  id: string
  path: string
  exact: boolean
  options?: UpstreamOptions
  /** Set when the path is a regex and the request path is rewritten (`rewriteTarget`). */
  rewrite?: Rewrite
}

/** Where a request goes: an HTTP(S) origin, a unix socket, a directory of files or a fixed status. */
export type UpstreamTarget =
  | (TargetBase & { kind: 'http'; origin: string; url: URL })
  | (TargetBase & { kind: 'unix'; socketPath: string })
  | (TargetBase & { kind: 'file'; dir: string })
  | (TargetBase & { kind: 'static'; status: number })

/** A route match: the target, and the request URI to send when the upstream rewrites paths. */
export interface UpstreamMatch {
  target: UpstreamTarget
  /** The rewritten request URI (path and query), for `rewriteTarget` upstreams. */
  uri?: string
}

/** Routes a request path to its upstream (oauth2-proxy's `multiUpstreamProxy` mux). */
export interface UpstreamTable {
  /**
   * Matches an encoded request path (no query). `redirectTo` is a path for a 301 (the caller appends
   * `?query` when there is one): either the canonical form of a non-canonical path, or the path plus `/`
   * when only that prefix route exists. Undefined means no route (404).
   */
  match(pathname: string, rawUrl?: string): UpstreamMatch | { redirectTo: string } | undefined
  /** The targets, longest path first. */
  readonly targets: readonly UpstreamTarget[]
}

const OPTION = '--upstream'

/** A structured upstream as a target, with its own options (validated when the configuration was loaded). */
function targetOf(u: UpstreamConfig['upstreams'][number]): Parsed {
  const options: UpstreamOptions = {
    passHostHeader: u.passHostHeader,
    insecureSkipVerify: u.insecureSkipTLSVerify,
    timeoutMs: u.timeout,
    flushIntervalMs: u.flushInterval,
    keepAlive: !u.disableKeepAlives,
    proxyWebSockets: u.proxyWebSockets,
  }
  const common = { id: u.id, path: u.path, exact: !u.path.endsWith('/'), options, ...(u.rewriteTarget === '' ? {} : { rewrite: { pattern: compileGoRegex(u.path), target: u.rewriteTarget } }) }
  if (u.static) return { ...common, kind: 'static', status: u.staticCode }
  let url: URL
  try {
    url = new URL(u.uri)
  } catch {
    return { message: 'not a valid URL' }
  }
  const path = decodePath(url.pathname) ?? url.pathname
  switch (url.protocol) {
    case 'http:':
    case 'https:':
    case 'h2c:':
      return { ...common, kind: 'http', origin: originOf(url), url }
    case 'unix:':
      return { ...common, kind: 'unix', socketPath: path }
    case 'file:':
      return { ...common, kind: 'file', dir: path }
    default:
      return { message: `unknown scheme ${JSON.stringify(url.protocol.slice(0, -1))}: use http, https, h2c, unix, file or static` }
  }
}

/**
 * Builds the table from `--upstream` values (the forwarder's options apply) or from the structured upstreams (each
 * with its own options); every invalid or duplicate entry is reported in one ConfigError.
 */
export function createUpstreamTable(upstreams: readonly string[] | UpstreamConfig): UpstreamTable {
  const issues: ConfigIssue[] = []
  const targets: UpstreamTarget[] = []
  const seen = new Set<string>()
  const structured = Array.isArray(upstreams) ? undefined : (upstreams as UpstreamConfig)
  const entries: readonly { value: string; parsed: Parsed }[] = structured === undefined
    ? (upstreams as readonly string[]).map((value) => ({ value, parsed: parseUpstream(value) }))
    : structured.upstreams.map((u) => ({ value: u.static ? u.id : u.uri, parsed: targetOf(u) }))
  const rawPath = structured?.proxyRawPath ?? false
  for (const { value, parsed } of entries) {
    if ('message' in parsed) {
      issues.push({ option: OPTION, value, message: parsed.message })
      continue
    }
    if (seen.has(parsed.path)) {
      issues.push({ option: OPTION, value, message: `multiple upstreams found with path ${JSON.stringify(parsed.path)}: upstream paths must be unique` })
      continue
    }
    seen.add(parsed.path)
    targets.push(parsed)
  }
  if (issues.length > 0) throw new ConfigError(issues)
  // oauth2-proxy's sortByPathLongest: rewrite upstreams first, then longest path first.
  targets.sort((a, b) => Number(b.rewrite !== undefined) - Number(a.rewrite !== undefined) || b.path.length - a.path.length)
  const frozen = Object.freeze(targets.map((t) => Object.freeze(t)))

  const find = (path: string): UpstreamTarget | undefined =>
    frozen.find((t) => (t.rewrite !== undefined ? t.rewrite.pattern.test(path) : t.exact ? path === t.path : path.startsWith(t.path)))

  return {
    targets: frozen,
    match(pathname, rawUrl) {
      if (!pathname.startsWith('/')) return undefined
      // proxyRawPath: gorilla/mux's UseEncodedPath routes on the path as sent, so `/%2F/` is not cleaned to `/`.
      const decoded = rawPath ? pathname : decodePath(pathname)
      if (decoded === undefined) return undefined
      // gorilla/mux answers a non-canonical path (`/a/../b`, `//x`, `/a%2F..%2Fb`) with a 301 to its clean form.
      const clean = cleanPath(decoded)
      if (clean !== decoded) return { redirectTo: rawPath ? clean : encodePath(clean) }
      const target = find(decoded)
      if (target?.rewrite !== undefined) return { target, uri: rewriteUri(target.rewrite, decodePath(pathname) ?? pathname, rawUrl ?? pathname) }
      if (target !== undefined) return { target }
      // registerTrailingSlashHandler: `/foo` gets a 301 to `/foo/` when that would match.
      if (!decoded.endsWith('/') && find(`${decoded}/`) !== undefined) return { redirectTo: `${pathname}/` }
      return undefined
    },
  }
}

/** `scheme://host[:port]`; WHATWG URLs give `h2c:` (not a special scheme) the origin "null". */
export function originOf(url: URL): string {
  return url.protocol === 'h2c:' ? `h2c://${url.host}` : url.origin
}

type Parsed = UpstreamTarget | { message: string }

/** Parses one `--upstream` value as oauth2-proxy's legacy `convert()` does. */
export function parseUpstream(value: string): Parsed {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { message: 'not a valid URL' }
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase()
  const pathname = decodePath(url.pathname)
  if (pathname === undefined) return { message: 'the path has a malformed percent-escape' }
  const path = pathname === '' ? '/' : pathname
  switch (scheme) {
    case 'http':
    case 'https':
    case 'h2c': {
      if (url.hostname === '') return { message: 'the URL has no host' }
      return { kind: 'http', id: path, path, exact: !path.endsWith('/'), origin: originOf(url), url }
    }
    case 'unix': {
      // Legacy unix upstreams always serve `/`; the URL path is the socket.
      if (pathname === '' || pathname === '/') return { message: 'unix upstreams need a socket path: unix:///path/to.sock' }
      return { kind: 'unix', id: pathname, path: '/', exact: false, socketPath: pathname }
    }
    case 'file': {
      const fragment = decodePath(url.hash.slice(1))
      if (fragment === undefined) return { message: 'the fragment has a malformed percent-escape' }
      const mount = fragment === '' ? path : fragment
      if (!mount.startsWith('/')) return { message: 'the mount path (after #) must start with /' }
      return { kind: 'file', id: mount, path: mount, exact: !mount.endsWith('/'), dir: path }
    }
    case 'static': {
      // oauth2-proxy falls back to 200 when the code does not parse; the path is always `/`.
      const code = /^\d{3}$/.test(url.host) ? Number(url.host) : 200
      return { kind: 'static', id: value, path: '/', exact: false, status: code >= 100 && code <= 999 ? code : 200 }
    }
    default:
      return { message: `unknown scheme ${JSON.stringify(scheme)}: use http, https, h2c, unix, file or static` }
  }
}
