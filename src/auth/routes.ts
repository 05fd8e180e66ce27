import { ProxyError } from '../errors.js'

/** One `--skip-auth-route` rule: optional method, the path regex, and whether the regex is negated (`!=`). */
export interface RouteRule {
  method?: string
  negate: boolean
  pattern: RegExp
  /** The rule as configured. */
  source: string
}

const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const SEPARATOR = /!?=/

/**
 * Parses `regex`, `METHOD=regex`, `METHOD!=regex` or `!=regex` as oauth2-proxy's `buildRoutesAllowlist`: the spec is
 * split on the first `=` or `!=`, so a regex containing `=` needs a leading `=` (`=^/a=b`). The regex is Go RE2 syntax
 * (see compileGoRegex). Throws ProxyError('ERR_CONFIG_INVALID') on a bad regex, and (stricter than oauth2-proxy, which
 * silently keeps a rule no request can match) when the text before the separator is not an HTTP method token.
 */
export function parseRouteRule(spec: string): RouteRule {
  const sep = SEPARATOR.exec(spec)
  if (sep === null) return { negate: false, pattern: compileRule(spec, spec), source: spec }
  const methodText = spec.slice(0, sep.index)
  const regex = spec.slice(sep.index + sep[0].length)
  const negate = sep[0] === '!='
  if (methodText === '') return { negate, pattern: compileRule(regex, spec), source: spec }
  if (!METHOD_TOKEN.test(methodText)) {
    throw new ProxyError('ERR_CONFIG_INVALID', 500, `skip-auth route ${JSON.stringify(spec)}: ${JSON.stringify(methodText)} is not an HTTP method; a path regex containing "=" needs a leading "=" (e.g. "=${spec}")`)
  }
  return { method: methodText.toUpperCase(), negate, pattern: compileRule(regex, spec), source: spec }
}

/**
 * The skip-auth matcher (oauth2-proxy `isAllowedRoute`): true when any rule's method (if given) equals the request
 * method upper-cased (lower-case methods do not slip past, cf. CVE-2020-14359) and its regex matches, or with `!=`
 * does not match, the decoded path (no query, no fragment: GHSA-7rh7-c77v-6434, GHSA-pxq7-h93f-9jrg).
 *
 * Stricter than oauth2-proxy: the path is forwarded raw, and upstreams disagree on what it means, so a rule only
 * applies when it gives the same answer for every reading an upstream may take of that path: as is; cut at a `?` or
 * `#` that came from `%3F`/`%23`; without `;params`; with `\` read as `/`; with repeated slashes merged; with `.`/`..`
 * segments resolved (CVE-2019-9901, heimdall GHSA-3q34-rx83-r6mq). Otherwise authentication is required.
 */
export function createRouteMatcher(specs: readonly string[]): (method: string, pathname: string) => boolean {
  const rules = specs.map(parseRouteRule)
  return (method: string, pathname: string): boolean => {
    if (rules.length === 0) return false
    const upper = method.toUpperCase()
    const readings = pathReadings(pathname)
    return rules.some((rule) => (rule.method === undefined || rule.method === upper) && readings.every((p) => rule.pattern.test(p) !== rule.negate))
  }
}

/**
 * Request target → the decoded path skip-auth rules see (oauth2-proxy `GetRequestPath`). The query (`?...`) is
 * removed, then the path is percent-decoded like Go's `URL.Path` (`%2F` → `/`). A `#` before the query, raw or as
 * `%23`, stays in the path: the raw target is forwarded as is, and upstreams read a raw `#` as part of the path, so
 * createRouteMatcher requires the rule to agree with and without the part from `#` (advisory 12, GHSA-pxq7-h93f-9jrg;
 * oauth2-proxy drops the raw fragment before matching, which let `/health#x` skip auth while `/health#x` was proxied).
 * An absolute-form target (`http://host/p`) yields its path; a target starting `//` stays a path (Go's `url.Parse`
 * would read `//host/p` as a host, an oauth2-proxy quirk we do not copy). Undefined when the target is not a path,
 * holds control characters (raw or percent-encoded) or a double-encoded `.`, `/` or `\`, or does not decode (bad `%` escape or invalid UTF-8): no skip-auth rule then applies.
 */
export function requestPath(requestUri: string): string | undefined {
  let uri = requestUri
  const query = uri.indexOf('?')
  if (query !== -1) uri = uri.slice(0, query)
  if (!uri.startsWith('/')) {
    const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(uri)
    if (authority === null) return undefined
    uri = uri.slice(authority[0].length)
    if (uri === '') uri = '/'
  }
  try {
    const path = decodeURIComponent(uri)
    // Raw or encoded (`%00`, `%0a`): an upstream may cut the path at a NUL or drop a control, so no rule applies.
    if (/[\u0000-\u001f\u007f]/.test(path)) return undefined
    // Still-encoded `.`, `/` or `\` after one decoding (`%252e`, `%252f`): an upstream that decodes again would walk
    // out of the matched prefix (`/public/%252e%2e/` → `/`), so no rule applies.
    return /%(?:2e|2f|5c)/i.test(path) ? undefined : path
  } catch {
    return undefined
  }
}

/** The `--api-route` matcher: a regex on the full request URI, query included, as the brief for oauth2-proxy's api routes says. */
export function createApiRouteMatcher(specs: readonly string[]): (requestUri: string) => boolean {
  const patterns = specs.map((spec) => compileRule(spec, spec, 'api route'))
  return (requestUri: string): boolean => patterns.some((p) => p.test(requestUri))
}

// ---- path readings -------------------------------------------------------------------------------------------

const NEEDS_READINGS = /[\\?#;]|\/\/|(?:^|\/)\.\.?(?:\/|$)/

const TRANSFORMS: ReadonlyArray<(p: string) => string> = [
  (p) => p.replace(/\\/g, '/'),
  (p) => {
    const cut = p.search(/[?#]/)
    return cut === -1 ? p : p.slice(0, cut)
  },
  (p) => p.replace(/;[^/]*/g, ''),
  (p) => p.replace(/\/{2,}/g, '/'),
  removeDotSegments,
]

/** Every distinct path an upstream might act on, from applying any subset of TRANSFORMS in order. */
function pathReadings(path: string): string[] {
  if (!NEEDS_READINGS.test(path)) return [path]
  const readings = new Set<string>()
  for (let mask = 0; mask < 1 << TRANSFORMS.length; mask++) {
    let p = path
    TRANSFORMS.forEach((transform, i) => {
      if ((mask & (1 << i)) !== 0) p = transform(p)
    })
    readings.add(p)
  }
  return [...readings]
}

/** RFC 3986 §5.2.4 on a path: `.` segments dropped, `..` removes the previous one, never above the root. */
function removeDotSegments(path: string): string {
  const segments = path.split('/')
  const out: string[] = []
  const last = segments.length - 1
  segments.forEach((segment, i) => {
    if (segment === '.' || segment === '..') {
      if (segment === '..' && out.length > 1) out.pop()
      if (i === last) out.push('')
      return
    }
    out.push(segment)
  })
  return out.join('/')
}

// ---- Go RE2 syntax → JavaScript -------------------------------------------------------------------------------

function compileRule(source: string, spec: string, what = 'skip-auth route'): RegExp {
  try {
    return compileGoRegex(source)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new ProxyError('ERR_CONFIG_INVALID', 500, `${what} ${JSON.stringify(spec)}: invalid regular expression: ${reason}`, { cause })
  }
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
}
const JS_SYNTAX = '^$\\.*+?()[]{}|/'
const GO_SPACE = '\\t\\n\\f\\r '

/**
 * Compiles a Go RE2 pattern (oauth2-proxy's `regexp.Compile`) to an equivalent JavaScript RegExp in `u` mode:
 * leading `(?i)`/`(?m)`/`(?s)` become flags; `\A`, `\z`, `(?P<n>`, `\pL`, `\x{..}`, `\Q..\E`, `[[:alpha:]]`, escaped
 * punctuation and literal braces are rewritten; `.` and `\s` keep Go's sets (`.` excludes only `\n`; `\s` is
 * [\t\n\f\r ]). Anything JavaScript cannot express (e.g. `(?i:..)` groups on Node 20) throws, never silently differs.
 */
export function compileGoRegex(source: string): RegExp {
  let body = source
  let flags = 'u'
  const lead = /^\(\?([ims]+)\)/.exec(body)
  if (lead !== null) {
    for (const f of lead[1] ?? '') if (!flags.includes(f)) flags += f
    body = body.slice(lead[0].length)
  }
  return new RegExp(translate(body, flags.includes('s')), flags)
}

function translate(src: string, dotAll: boolean): string {
  let out = ''
  let inClass = false
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] ?? ''
    if (ch === '\\') {
      const next = src[i + 1]
      if (next === undefined) throw new Error('trailing backslash')
      i++
      if (next === 'Q') {
        const end = src.indexOf('\\E', i + 1)
        const literal = end === -1 ? src.slice(i + 1) : src.slice(i + 1, end)
        out += literal.replace(inClass ? /[\\^$.*+?()[\]{}|/-]/g : /[\\^$.*+?()[\]{}|/]/g, '\\$&')
        i = end === -1 ? src.length : end + 1
      } else if (next === 'A' && !inClass) out += '(?<![\\s\\S])'
      else if (next === 'z' && !inClass) out += '(?![\\s\\S])'
      else if (next === 's') out += inClass ? GO_SPACE : `[${GO_SPACE}]`
      else if (next === 'S' && !inClass) out += `[^${GO_SPACE}]`
      else if ((next === 'p' || next === 'P') && /[A-Za-z]/.test(src[i + 1] ?? '')) {
        out += `\\${next}{${src[i + 1] ?? ''}}`
        i++
      } else if (next === 'x' && src[i + 1] === '{') {
        const hex = /^\{([0-9A-Fa-f]{1,6})\}/.exec(src.slice(i + 1))
        if (hex === null) throw new Error('bad \\x{...} escape')
        out += `\\u{${hex[1] ?? ''}}`
        i += hex[0].length
      } else if (JS_SYNTAX.includes(next) || (next === '-' && inClass)) out += `\\${next}`
      else if (/[!-/:-@[-`{-~]/.test(next)) out += next
      else out += `\\${next}`
      continue
    }
    if (inClass) {
      const posix = /^\[:([a-z]+):\]/.exec(src.slice(i))
      if (posix !== null) {
        const set = POSIX_CLASSES[posix[1] ?? '']
        if (set === undefined) throw new Error(`unknown class [:${posix[1] ?? ''}:]`)
        out += set
        i += posix[0].length - 1
      } else if (ch === ']') {
        inClass = false
        out += ch
      } else out += ch === '[' ? '\\[' : ch
      continue
    }
    if (ch === '[') {
      inClass = true
      out += ch
      // A `]` right after `[` or `[^` is a literal in Go.
      if (src[i + 1] === '^') out += src[++i] ?? ''
      if (src[i + 1] === ']') {
        out += '\\]'
        i++
      }
    } else if (ch === '(' && src.startsWith('(?P<', i)) {
      out += '(?<'
      i += 3
    } else if (ch === '{') {
      const quantifier = /^\{\d+(?:,\d*)?\}/.exec(src.slice(i))
      if (quantifier !== null && out !== '') {
        out += quantifier[0]
        i += quantifier[0].length - 1
      } else out += '\\{'
    } else if (ch === '}' || ch === ']') out += `\\${ch}`
    else if (ch === '.' && !dotAll) out += '[^\\n]'
    else out += ch
  }
  if (inClass) throw new Error('missing closing ]')
  return out
}
