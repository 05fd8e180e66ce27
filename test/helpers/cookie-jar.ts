// A small cookie jar for the test HTTP client (RFC 6265 in the parts tests meet: Domain, Path,
// Max-Age, Expires, Secure, HttpOnly, SameSite). Cookies are kept per host and port by default;
// `shareAcrossPorts` makes it behave like a browser, where ports do not separate cookies.

/** One stored cookie. */
export interface StoredCookie {
  name: string
  value: string
  /** Lower-case host name the cookie belongs to (without a leading dot). */
  domain: string
  /** True when Set-Cookie had no Domain: only this exact host gets it back. */
  hostOnly: boolean
  path: string
  /** Port scope ('' when ports are shared). */
  port: string
  /** Epoch ms, or undefined for a session cookie. */
  expiresAt: number | undefined
  secure: boolean
  httpOnly: boolean
  sameSite: string | undefined
  /** Attributes as received, for assertions. */
  raw: string
}

/** The jar: store from responses, read for requests, inspect or edit in tests. */
export interface CookieJar {
  /** Stores the cookies of `Set-Cookie` headers received from `url`. */
  store(url: string | URL, setCookies: readonly string[]): void
  /** Stores one `Set-Cookie` value as if `url` had sent it (Max-Age=0 or a past Expires deletes). */
  set(url: string | URL, setCookie: string): void
  /** The `Cookie` header a request to `url` carries, or undefined when no cookie matches. */
  header(url: string | URL): string | undefined
  /** The value of cookie `name` that a request to `url` would send. */
  get(url: string | URL, name: string): string | undefined
  /** The full stored cookie `name` that a request to `url` would send. */
  cookie(url: string | URL, name: string): StoredCookie | undefined
  /** Every cookie a request to `url` would send, or every stored cookie without `url`. */
  list(url?: string | URL): StoredCookie[]
  /** Removes cookie `name` (every domain and path) visible at `url`. */
  delete(url: string | URL, name: string): void
  clear(): void
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

/** Creates an empty jar. */
export function createCookieJar(options: { shareAcrossPorts?: boolean } = {}): CookieJar {
  let cookies: StoredCookie[] = []
  const portOf = (u: URL): string => (options.shareAcrossPorts === true ? '' : u.port || (u.protocol === 'https:' ? '443' : '80'))

  const matches = (c: StoredCookie, u: URL, now: number): boolean => {
    const host = u.hostname.toLowerCase()
    if (c.expiresAt !== undefined && c.expiresAt <= now) return false
    if (c.port !== portOf(u)) return false
    if (c.hostOnly ? host !== c.domain : !domainMatch(host, c.domain)) return false
    if (!pathMatch(u.pathname || '/', c.path)) return false
    if (c.secure && u.protocol !== 'https:' && !LOOPBACK.has(host)) return false
    return true
  }

  const visible = (url: string | URL): StoredCookie[] => {
    const u = new URL(url)
    const now = Date.now()
    cookies = cookies.filter((c) => c.expiresAt === undefined || c.expiresAt > now)
    // RFC 6265 §5.4: longer paths first; the sort is stable, so older cookies come first otherwise.
    return cookies.filter((c) => matches(c, u, now)).sort((a, b) => b.path.length - a.path.length)
  }

  const set = (url: string | URL, setCookie: string): void => {
    const u = new URL(url)
    const parsed = parseSetCookie(setCookie, u, portOf(u))
    if (parsed === undefined) return
    cookies = cookies.filter(
      (c) => !(c.name === parsed.name && c.domain === parsed.domain && c.path === parsed.path && c.port === parsed.port),
    )
    if (parsed.expiresAt === undefined || parsed.expiresAt > Date.now()) cookies.push(parsed)
  }

  return {
    store(url, setCookies) {
      for (const sc of setCookies) set(url, sc)
    },
    set,
    header(url) {
      const list = visible(url)
      return list.length === 0 ? undefined : list.map((c) => `${c.name}=${c.value}`).join('; ')
    },
    get(url, name) {
      return visible(url).find((c) => c.name === name)?.value
    },
    cookie(url, name) {
      return visible(url).find((c) => c.name === name)
    },
    list(url) {
      return url === undefined ? [...cookies] : visible(url)
    },
    delete(url, name) {
      const gone = new Set(visible(url).filter((c) => c.name === name))
      cookies = cookies.filter((c) => !gone.has(c))
    },
    clear() {
      cookies = []
    },
  }
}

function parseSetCookie(header: string, u: URL, port: string): StoredCookie | undefined {
  const [pair = '', ...attrs] = header.split(';')
  const eq = pair.indexOf('=')
  if (eq <= 0) return undefined
  const host = u.hostname.toLowerCase()
  const cookie: StoredCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: host,
    hostOnly: true,
    path: defaultPath(u.pathname),
    port,
    expiresAt: undefined,
    secure: false,
    httpOnly: false,
    sameSite: undefined,
    raw: header,
  }
  let maxAge: number | undefined
  for (const attr of attrs) {
    const i = attr.indexOf('=')
    const key = (i === -1 ? attr : attr.slice(0, i)).trim().toLowerCase()
    const val = i === -1 ? '' : attr.slice(i + 1).trim()
    if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val)
    else if (key === 'expires') {
      const t = Date.parse(val)
      if (!Number.isNaN(t)) cookie.expiresAt = t
    } else if (key === 'domain' && val !== '') {
      const domain = val.replace(/^\./, '').toLowerCase()
      // A cookie for another site is rejected, as browsers do.
      if (!domainMatch(host, domain)) return undefined
      cookie.domain = domain
      cookie.hostOnly = false
    } else if (key === 'path') cookie.path = val.startsWith('/') ? val : defaultPath(u.pathname)
    else if (key === 'secure') cookie.secure = true
    else if (key === 'httponly') cookie.httpOnly = true
    else if (key === 'samesite') cookie.sameSite = val
  }
  // Max-Age wins over Expires (RFC 6265 §5.3 step 3); zero or less means "delete now".
  if (maxAge !== undefined) cookie.expiresAt = maxAge <= 0 ? 0 : Date.now() + maxAge * 1000
  return cookie
}

function domainMatch(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !/^[\d.]+$/.test(host))
}

function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}

function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/'
  const last = requestPath.lastIndexOf('/')
  return last <= 0 ? '/' : requestPath.slice(0, last)
}
