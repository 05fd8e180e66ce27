import { ConfigError, type ConfigIssue } from '../errors.js'
import { cleanPath, decodePath, encodePath } from './path.js'

/** Where a request goes: an HTTP(S) origin, a unix socket, a directory of files or a fixed status. */
export type UpstreamTarget =
  | { kind: 'http'; id: string; path: string; exact: boolean; origin: string; url: URL }
  | { kind: 'unix'; id: string; path: string; exact: boolean; socketPath: string }
  | { kind: 'file'; id: string; path: string; exact: boolean; dir: string }
  | { kind: 'static'; id: string; path: string; exact: boolean; status: number }

/** Routes a request path to its upstream (oauth2-proxy's `multiUpstreamProxy` mux). */
export interface UpstreamTable {
  /**
   * Matches an encoded request path (no query). `redirectTo` is a path for a 301 (the caller appends
   * `?query` when there is one): either the canonical form of a non-canonical path, or the path plus `/`
   * when only that prefix route exists. Undefined means no route (404).
   */
  match(pathname: string): { target: UpstreamTarget } | { redirectTo: string } | undefined
  /** The targets, longest path first. */
  readonly targets: readonly UpstreamTarget[]
}

const OPTION = '--upstream'

/** Builds the table from `--upstream` values; every invalid or duplicate entry is reported in one ConfigError. */
export function createUpstreamTable(upstreams: readonly string[]): UpstreamTable {
  const issues: ConfigIssue[] = []
  const targets: UpstreamTarget[] = []
  const seen = new Set<string>()
  for (const value of upstreams) {
    const parsed = parseUpstream(value)
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
  // Longest path first, as oauth2-proxy's sortByPathLongest; two distinct paths of one length never match the same request.
  targets.sort((a, b) => b.path.length - a.path.length)
  const frozen = Object.freeze(targets.map((t) => Object.freeze(t)))

  const find = (decoded: string): UpstreamTarget | undefined =>
    frozen.find((t) => (t.exact ? decoded === t.path : decoded.startsWith(t.path)))

  return {
    targets: frozen,
    match(pathname) {
      if (!pathname.startsWith('/')) return undefined
      const decoded = decodePath(pathname)
      if (decoded === undefined) return undefined
      // gorilla/mux answers a non-canonical path (`/a/../b`, `//x`, `/a%2F..%2Fb`) with a 301 to its clean form.
      const clean = cleanPath(decoded)
      if (clean !== decoded) return { redirectTo: encodePath(clean) }
      const target = find(decoded)
      if (target !== undefined) return { target }
      // registerTrailingSlashHandler: `/foo` gets a 301 to `/foo/` when that would match.
      if (!decoded.endsWith('/') && find(`${decoded}/`) !== undefined) return { redirectTo: `${pathname}/` }
      return undefined
    },
  }
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
    case 'https': {
      if (url.hostname === '') return { message: 'the URL has no host' }
      return { kind: 'http', id: path, path, exact: !path.endsWith('/'), origin: url.origin, url }
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
      return { message: `unknown scheme ${JSON.stringify(scheme)}: use http, https, unix, file or static` }
  }
}
