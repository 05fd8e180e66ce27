import { isIP } from 'node:net'

/** The upstream forms oauth2-proxy accepts, for messages. */
const UPSTREAM_FORMS = 'http(s)://host[:port][/path], h2c://host:port[/path], file:///dir[#/mount/], static://CODE (100-599) or unix:///path/to/socket'

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535
}

/** A host name (labels of letters, digits, `-`, `_`), an IPv4 address or a bracketed IPv6 address. */
function isHost(text: string): boolean {
  if (text.startsWith('[') && text.endsWith(']')) return isIP(text.slice(1, -1)) === 6
  return /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(text)
}

/** Checks one `--upstream`: `http(s)://host[:port][/path]`, `h2c://host:port[/path]` (cleartext HTTP/2), `file:///dir[#/mount/]`, `static://CODE` or `unix:///path`. */
export function upstreamProblem(value: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase()
  const expected = `an upstream must be ${UPSTREAM_FORMS}`
  if (scheme === undefined) return `${expected}; add the scheme, e.g. http://${value}`
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `not a valid URL: ${expected}`
  }
  switch (scheme) {
    case 'http':
    case 'https':
    case 'h2c':
      if (url.hostname === '') return `the upstream has no host: ${expected}`
      return undefined
    case 'file': {
      if (url.pathname === '' || url.pathname === '/') return 'a file:// upstream needs a directory, e.g. file:///var/www/static#/static/'
      if (url.hash !== '' && !url.hash.startsWith('#/')) return 'the mount path after # must start with /, e.g. file:///var/www#/static/'
      return undefined
    }
    case 'static': {
      const code = /^static:\/\/(\d+)(\/.*)?$/.exec(value)?.[1]
      if (code === undefined || Number(code) < 100 || Number(code) > 599) return 'a static:// upstream needs an HTTP status code from 100 to 599, e.g. static://202'
      return undefined
    }
    case 'unix':
      if (!/^unix:\/\/\/./.test(value)) return 'a unix:// upstream needs an absolute socket path, e.g. unix:///run/app.sock'
      return undefined
    default:
      return `unsupported scheme "${scheme}": ${expected}`
  }
}

/** Checks `--http-address` / `--https-address`: `[http(s)://]host:port`, `unix://path`, or `-`/empty to turn it off. */
export function listenAddressProblem(value: string): string | undefined {
  if (value === '' || value === '-') return undefined
  if (value.startsWith('fd:')) return 'systemd socket activation (fd:N) is not supported yet by gatehouse; use host:port or unix://path'
  if (value.startsWith('unix:')) {
    return value.replace(/^unix:(\/\/)?/, '') === '' ? 'unix:// needs a socket path, e.g. unix:///run/gatehouse.sock' : undefined
  }
  const bare = value.replace(/^https?:\/\//i, '')
  const m = /^(\[[^\]]*\]|[^:[\]]*):([^:]*)$/.exec(bare)
  const expected = 'expected [http://]host:port (e.g. 0.0.0.0:4180, [::1]:4180 or :4180), unix://path, or - to turn it off'
  if (m === null) return expected
  const host = m[1] ?? ''
  if (host !== '' && !isHost(host)) return `bad host "${host}": ${expected}`
  if (!isPort(m[2] ?? '')) return `bad port "${m[2] ?? ''}": ${expected}`
  return undefined
}

/** Checks one `--trusted-ip` / `--trusted-proxy-ip`: an IPv4 or IPv6 address, optionally with a /prefix. */
export function ipOrCidrProblem(value: string): string | undefined {
  const [ip = '', prefix, extra] = value.split('/')
  const family = isIP(ip)
  const expected = 'expected an IP address or a CIDR range, e.g. 10.0.0.0/8, 192.168.1.7 or fd00::/8'
  if (family === 0 || extra !== undefined) return expected
  if (prefix === undefined) return undefined
  const max = family === 4 ? 32 : 128
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `the prefix length must be 0 to ${max}: ${expected}`
  return undefined
}

/** Checks one `--whitelist-domain`: a host with optional leading `.` or `*.`, and optional `:port` or `:*`. */
export function whitelistDomainProblem(value: string): string | undefined {
  const expected = 'expected a host name, optionally with a leading "." or "*." for subdomains and ":port" or ":*", e.g. .example.com or app.example.com:8443'
  const m = /^(\*\.|\.)?(\[[^\]]+\]|[^:]+)(?::(.*))?$/.exec(value)
  if (m === null) return expected
  const host = m[2] ?? ''
  const port = m[3]
  if (!isHost(host)) return expected
  if (port !== undefined && port !== '*' && !isPort(port)) return `bad port "${port}": ${expected}`
  return undefined
}

/** Checks a regular expression compiles as a JavaScript RegExp. */
export function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source)
    return undefined
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`
  }
}

/** A parsed `--skip-auth-route`: optional method, negation, and the path regex. */
export interface SkipAuthRoute {
  method: string
  negate: boolean
  regex: string
}

/** Splits `[METHOD=|METHOD!=|!=]regex` at the first `=` or `!=`; a regex that contains `=` needs a leading `=`. */
export function splitSkipAuthRoute(value: string): SkipAuthRoute {
  const m = /!?=/.exec(value)
  if (m === null) return { method: '', negate: false, regex: value }
  return { method: value.slice(0, m.index).toUpperCase(), negate: m[0] === '!=', regex: value.slice(m.index + m[0].length) }
}

/** Checks one `--skip-auth-route`: the method part must be a method name and the regex must compile. */
export function skipAuthRouteProblem(value: string): string | undefined {
  const route = splitSkipAuthRoute(value)
  if (!/^[A-Z]*$/.test(route.method)) {
    return `"${value.slice(0, route.method.length)}" before "=" is not an HTTP method: use METHOD=regex, METHOD!=regex, !=regex or regex; a regex that contains "=" needs a leading "=" (write =${value})`
  }
  return regexProblem(route.regex)
}

/** Checks `--redirect-url`: empty, an absolute path, or an absolute http(s) URL. */
export function redirectUrlProblem(value: string): string | undefined {
  if (value === '' || (value.startsWith('/') && !value.startsWith('//'))) return undefined
  const expected = 'expected an absolute URL such as https://auth.example.com/oauth2/callback, or a path such as /oauth2/callback'
  try {
    const url = new URL(value)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return expected
    return undefined
  } catch {
    return expected
  }
}

/** Checks an absolute http(s) URL (or empty). */
export function httpUrlProblem(value: string): string | undefined {
  if (value === '') return undefined
  try {
    const url = new URL(value)
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return undefined
  } catch {
    // falls through to the message
  }
  return 'expected an absolute http(s) URL, e.g. https://idp.example.com/...'
}

/** RFC 6265 cookie-name characters (an RFC 7230 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Checks `--cookie-name`: a token of at most 256 characters. */
export function cookieNameProblem(value: string): string | undefined {
  if (value === '') return 'the cookie name must not be empty'
  if (!TOKEN.test(value)) return 'a cookie name may use letters, digits and !#$%&\'*+-.^_`|~ only (no spaces, "=", ";" or ",")'
  if (value.length > 256) return `the cookie name is ${value.length} characters; the limit is 256`
  return undefined
}

/** Checks an HTTP header name (a token). */
export function headerNameProblem(value: string): string | undefined {
  return TOKEN.test(value) ? undefined : 'expected an HTTP header name such as X-Request-Id'
}

/** Checks an absolute URL path (or empty where allowed by the caller). */
export function pathProblem(value: string): string | undefined {
  return value.startsWith('/') ? undefined : `a path must start with "/", e.g. /${value}`
}

/** The client-IP headers oauth2-proxy knows (compared case-insensitively, as Go canonicalises header names). */
export const REAL_CLIENT_IP_HEADERS = ['X-Forwarded-For', 'X-Real-IP', 'X-ProxyUser-IP', 'X-Envoy-External-Address', 'CF-Connecting-IP'] as const

/** Checks `--real-client-ip-header` against the five headers oauth2-proxy supports. */
export function realClientIpHeaderProblem(value: string): string | undefined {
  const known = REAL_CLIENT_IP_HEADERS.some((h) => h.toLowerCase() === value.toLowerCase())
  return known ? undefined : `must be one of: ${REAL_CLIENT_IP_HEADERS.join(', ')}`
}

/** A check for an optional absolute http(s) URL; `example` shows the expected form in the message. */
export function httpUrlCheck(example: string): (value: string) => string | undefined {
  return (value) => {
    if (value === '') return undefined
    try {
      const url = new URL(value)
      return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'expected an http:// or https:// URL'
    } catch {
      return `expected an absolute URL such as ${example}`
    }
  }
}
