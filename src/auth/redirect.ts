import { isHostAllowed } from './domain-match.js'

/**
 * oauth2-proxy's `IsValidRedirect` (reference §3.10; GHSA-qqxw-m5fj-f7gv, GHSA-j7px-6hwj-hpjg, GHSA-5m6c-jp6f-2vcv,
 * GHSA-4mf2-f3wh-gvf2). Every rule here refuses at least what oauth2-proxy refuses; where we are stricter it says so.
 */

// oauth2-proxy's `[/\\](?:[\s\v]*|\.{1,2})[/\\]` with Go RE2's sets spelled out: Go `\s` is [\t\n\f\r ] and `\v` is
// U+000B (JS `\s` would also take U+00A0, U+2028, U+FEFF and others).
const TRAVERSAL = /[/\\](?:[\t\n\v\f\r ]*|\.{1,2})[/\\]/
// Stricter than oauth2-proxy: C0/C1 controls, DEL, backslash, line/paragraph separators and format characters
// (bidi overrides, zero-width joiners, BOM) are refused anywhere in a relative redirect. Browsers drop tabs and
// newlines from URLs and read `\` as `/`, so none of these may reach a Location header. U+FFFD is refused too: it is
// what an invalid UTF-8 escape (`%c0%af`, an overlong `/`) decodes to.
const FORBIDDEN_RELATIVE = /[\u0000-\u001f\u007f-\u009f\\\u2028\u2029\ufffd\p{Cf}]/u
// Absolute redirects additionally may not contain a space (WHATWG strips leading ones and they have no place in a URL).
const FORBIDDEN_ABSOLUTE = /[\u0000-\u0020\u007f-\u009f\\\u2028\u2029\p{Cf}]/u
// Host names as a browser resolves them after IDNA: letters, digits, `-`, `_`, dots; or a bracketed IPv6 literal.
const HOST_NAME = /^[a-z0-9._-]+$/
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/
const SEGMENT_PARAMS = /;[^/?#]*/g
const SLASH_LOOKALIKES = /[\u2044\u2215\u2216\u2571\u2572\u29f5\u29f8\u29f9\u3033\u3035]/g
const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+/g
// A redirect that decodes further than this is refused rather than followed down.
const MAX_DECODE_ROUNDS = 6
const PROBE_BASE = 'https://gatehouse.invalid/'

/** Builds oauth2-proxy's `IsValidRedirect` for the given `--whitelist-domain` entries; the returned check never throws. */
export function createRedirectValidator(whitelistDomains: readonly string[]): (redirect: string) => boolean {
  const entries = [...whitelistDomains]
  return (redirect: string): boolean => {
    try {
      if (redirect === '') return false
      if (redirect.startsWith('/')) return isSafeRelative(redirect)
      if (redirect.startsWith('http://') || redirect.startsWith('https://')) return isAllowedAbsolute(redirect, entries)
      // Every other form (other schemes, `javascript:`, scheme-relative, no leading slash, upper-case `HTTPS://`) is refused.
      return false
    } catch {
      return false
    }
  }
}

/**
 * A same-site path: oauth2-proxy's rule (starts with `/`, not `//`, no slash-whitespace-slash or slash-dots-slash),
 * applied to the raw value and, stricter, to the percent-decoded path (repeatedly, for double encoding) and its NFKC
 * form (fullwidth `／` and `﹨` fold to `/` and `\`), so an upstream that decodes or normalises cannot turn it into
 * `//host`. The query and fragment are checked raw only: they often carry encoded return URLs.
 */
function isSafeRelative(redirect: string): boolean {
  if (!passesPathRules(redirect)) return false
  const cut = redirect.search(/[?#]/)
  let path = cut === -1 ? redirect : redirect.slice(0, cut)
  if (!passesPathRules(path.normalize('NFKC'))) return false
  for (let round = 0; ; round++) {
    const decoded = path.replace(PERCENT_RUN, decodeRun)
    if (decoded === path) break
    if (round === MAX_DECODE_ROUNDS) return false
    if (!passesPathRules(decoded) || !passesPathRules(decoded.normalize('NFKC'))) return false
    path = decoded
  }
  // Belt and braces: resolved the way a browser resolves a Location header, it must stay on the same origin.
  return new URL(redirect, PROBE_BASE).origin === new URL(PROBE_BASE).origin
}

/**
 * The path rules on one form of the value, and on two readings of it some servers take: with `;params` dropped from
 * segments (Tomcat reads `/..;/` as `/../`), and with slash look-alikes NFKC keeps (`∕` `⁄` `⧸`, which best-fit
 * code-page mappings turn into `/` or `\`) read as `/`.
 */
function passesPathRules(value: string): boolean {
  return [value, value.replace(SEGMENT_PARAMS, ''), value.replace(SLASH_LOOKALIKES, '/')].every(
    (form) => !form.startsWith('//') && !FORBIDDEN_RELATIVE.test(form) && !TRAVERSAL.test(form),
  )
}

/** Decodes one run of `%XX` escapes as UTF-8 (invalid sequences become U+FFFD, which no rule lets through as `/`). */
function decodeRun(run: string): string {
  return Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8')
}

/**
 * An absolute `http(s)://` URL to a whitelisted host. It is parsed as a browser would (WHATWG URL), and refused when
 * the authority written in the raw string is not exactly the host the browser would contact: userinfo (`a@b`),
 * percent-encoded or IDN hosts, numeric IPv4 forms (`0x7f.1`), default ports (`:443`), ideographic full stops,
 * empty authorities (`https:///evil`) all differ and are refused (stricter than oauth2-proxy, which reads Go's
 * `url.Parse` host). The proxy's own host is not implied (oauth2-proxy does not imply it either).
 */
function isAllowedAbsolute(redirect: string, entries: readonly string[]): boolean {
  if (FORBIDDEN_ABSOLUTE.test(redirect)) return false
  const scheme = redirect.startsWith('https://') ? 'https:' : 'http:'
  const afterScheme = redirect.slice(scheme.length + 2)
  const end = afterScheme.search(/[/?#]/)
  const rawAuthority = (end === -1 ? afterScheme : afterScheme.slice(0, end)).toLowerCase()
  if (rawAuthority === '' || rawAuthority.includes('@')) return false
  const url = new URL(redirect)
  if (url.protocol !== scheme || url.username !== '' || url.password !== '') return false
  if (url.host !== rawAuthority) return false
  if (!HOST_NAME.test(url.hostname) && !IPV6_LITERAL.test(url.hostname)) return false
  return isHostAllowed(url.host, entries)
}
