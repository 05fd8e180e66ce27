/** What the redirect choice reads from a request; plain values so the rules stay testable. */
export interface RedirectInput {
  rd: string | undefined
  headerRedirect: string | undefined
  trusted: boolean
  forwardedHost: boolean
  proto: string
  host: string
  /** X-Forwarded-Uri from a trusted peer, else the request target. */
  uri: string
  proxyPrefix: string
}

function underPrefix(uri: string, prefix: string): boolean {
  return uri === prefix || uri.startsWith(`${prefix}/`) || uri.startsWith(`${prefix}?`)
}

/**
 * Where the browser goes after sign-in or sign-out (oauth2-proxy's GetRedirect, reference §3.10): the first valid of
 * `rd`, `X-Auth-Request-Redirect`, the forwarded URL, the request URI; else `/`. Our own endpoints become `/`.
 */
export function chooseRedirect(input: RedirectInput, isValid: (redirect: string) => boolean): string {
  const candidates: Array<string | undefined> = [input.rd, input.headerRedirect]
  const uri = underPrefix(input.uri, input.proxyPrefix) ? '/' : input.uri
  if (input.trusted && input.forwardedHost) candidates.push(`${input.proto}://${input.host}${uri}`)
  candidates.push(uri)
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate !== '' && isValid(candidate)) return candidate
  }
  return '/'
}

/**
 * The `redirect_uri` sent to the IdP (reference §3.11): `--redirect-url` as given when it has a host (or with
 * `--relative-redirect-url`), else built from the request; https is forced when cookies are Secure.
 */
export function callbackUrl(input: { redirectUrl: string; relative: boolean; cookieSecure: boolean; proto: string; host: string; proxyPrefix: string }): string {
  const configured = input.redirectUrl === '' ? `${input.proxyPrefix}/callback` : input.redirectUrl
  if (input.relative || /^https?:\/\//i.test(configured)) return configured
  const scheme = input.cookieSecure ? 'https' : input.proto === 'https' ? 'https' : 'http'
  return `${scheme}://${input.host}${configured.startsWith('/') ? configured : `/${configured}`}`
}
