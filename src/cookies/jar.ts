import { serialize } from 'cookie'

/** Cookie attributes from the `--cookie-*` options. */
export interface CookieOptions {
  name: string
  domains: readonly string[]
  path: string
  expireMs: number
  secure: boolean
  httpOnly: boolean
  sameSite: '' | 'lax' | 'strict' | 'none'
  csrfExpireMs: number
  csrfSameSite: '' | 'lax' | 'strict' | 'none'
  /** The cookie domain of the request host's site (`sites:`), which replaces `domains` for it; undefined: none. */
  siteDomain?: (host: string) => string | undefined
}

/**
 * Picks the cookie domain as oauth2-proxy does: the longest configured domain that the request host ends with,
 * else the shortest configured one. Unlike oauth2-proxy the match is dot-aware
 * (`badexample.com` does not match `example.com`) and ignores the port; the leading dot is dropped, as Go's http.Cookie writes it.
 */
export function pickCookieDomain(domains: readonly string[], host: string): string | undefined {
  if (domains.length === 0) return undefined
  const sorted = [...domains].sort((a, b) => b.length - a.length)
  const hostname = host.toLowerCase()
  for (const d of sorted) {
    const bare = d.replace(/^\./, '').toLowerCase()
    if (hostname === bare || hostname.endsWith(`.${bare}`)) return bare
  }
  return sorted[sorted.length - 1]?.replace(/^\./, '')
}

/** Serializes a Set-Cookie value with raw values (oauth2-proxy's `|` is not percent-encoded). */
export function setCookie(name: string, value: string, attrs: { domain: string | undefined; path: string; maxAgeSec: number | undefined; secure: boolean; httpOnly: boolean; sameSite: CookieOptions['sameSite'] }): string {
  return serialize(name, value, {
    encode: (v) => v,
    path: attrs.path,
    ...(attrs.domain === undefined ? {} : { domain: attrs.domain }),
    ...(attrs.maxAgeSec === undefined ? {} : { maxAge: attrs.maxAgeSec }),
    httpOnly: attrs.httpOnly,
    secure: attrs.secure,
    ...(attrs.sameSite === '' ? {} : { sameSite: attrs.sameSite }),
  })
}

/** The attribute part (after `name=value`) of a Set-Cookie string; used to size chunks. */
export function attributeText(setCookieValue: string): string {
  const i = setCookieValue.indexOf(';')
  return i === -1 ? '' : setCookieValue.slice(i + 2)
}

/** Builds our cookies for one request host. */
export function createCookieJar(options: CookieOptions) {
  function attrs(host: string, maxAgeSec: number | undefined, sameSite: CookieOptions['sameSite']) {
    const domain = options.siteDomain?.(host) ?? pickCookieDomain(options.domains, host.replace(/:\d+$/, ''))
    return { domain, path: options.path, maxAgeSec, secure: options.secure, httpOnly: options.httpOnly, sameSite }
  }
  const sessionMaxAge = options.expireMs > 0 ? Math.floor(options.expireMs / 1000) : undefined
  return {
    options,
    /** Set-Cookie for a session cookie (or one chunk of it). */
    session(name: string, value: string, host: string): string {
      return setCookie(name, value, attrs(host, sessionMaxAge, options.sameSite))
    },
    /** Set-Cookie for the CSRF cookie of a login in progress. */
    csrf(name: string, value: string, host: string): string {
      const sameSite = options.csrfSameSite === '' ? options.sameSite : options.csrfSameSite
      return setCookie(name, value, attrs(host, Math.floor(options.csrfExpireMs / 1000), sameSite))
    },
    /** Set-Cookie that deletes a cookie (`Max-Age=0`). */
    clear(name: string, host: string): string {
      return setCookie(name, '', attrs(host, 0, options.sameSite))
    },
  }
}

export type CookieJar = ReturnType<typeof createCookieJar>
