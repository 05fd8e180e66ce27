import { defineOptions } from '../define.js'
import { cookieNameProblem, pathProblem } from '../formats.js'

const o = defineOptions('cookies')

const SAME_SITE = ['', 'lax', 'strict', 'none'] as const

/** The session and CSRF cookies. */
export const cookieOptions = {
  cookieName: o.string('cookie-name', '_oauth2_proxy', 'Name of the session cookie; a __Host- or __Secure- prefix suits HTTPS-only setups.', {
    check: cookieNameProblem,
  }),
  cookieSecret: o.string('cookie-secret', '', 'Secret that signs and encrypts cookies: 16, 24 or 32 bytes, raw or base64url (openssl rand -base64 32 | tr -- \'+/\' \'-_\').', {
    secret: true,
  }),
  cookieSecretFile: o.string('cookie-secret-file', '', 'File holding the cookie secret, read as is (a trailing newline counts); used when --cookie-secret is empty.'),
  cookieDomains: o.list('cookie-domain', "Domains the cookie may be set for; the longest one matching the request's host is used."),
  cookiePath: o.string('cookie-path', '/', 'Path attribute of the cookies.', { check: pathProblem }),
  cookieExpire: o.duration('cookie-expire', '168h', 'Session lifetime: the Max-Age of the cookie and the age after which a signed cookie is refused; 0 makes a browser-session cookie.'),
  cookieRefresh: o.duration('cookie-refresh', '0', 'Refresh the tokens of a session older than this, or shortly before its access token expires (0 = never); must be shorter than --cookie-expire.'),
  cookieSecure: o.bool('cookie-secure', true, 'Mark cookies Secure (HTTPS only); also makes a host-less --redirect-url use https.'),
  cookieHttponly: o.bool('cookie-httponly', true, 'Mark cookies HttpOnly so page scripts cannot read them.'),
  // oauth2-proxy's default is empty (no attribute); issue 8 asks for Lax by default (CHANGELOG "Differences").
  cookieSamesite: o.choice('cookie-samesite', SAME_SITE, 'lax', 'SameSite attribute of the session cookie: lax (default, unlike oauth2-proxy), strict, none, or empty to leave it out.'),
  cookieCsrfPerRequest: o.bool('cookie-csrf-per-request', false, 'Give each login its own CSRF cookie so parallel logins in several tabs work.'),
  cookieCsrfPerRequestLimit: o.int('cookie-csrf-per-request-limit', 0, 'Most per-request CSRF cookies kept at once; the oldest are cleared (0 = no limit).', { min: 0 }),
  cookieCsrfExpire: o.duration('cookie-csrf-expire', '15m', 'Lifetime of the CSRF cookie, i.e. how long a login may take.'),
  cookieCsrfSamesite: o.choice('cookie-csrf-samesite', SAME_SITE, '', 'SameSite attribute of the CSRF cookie; empty uses --cookie-samesite.'),
}
