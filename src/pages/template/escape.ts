import type { HtmlContext } from './context.js'
import { printValue, SafeHtml, type Value } from './values.js'

/** What Go's html/template writes in place of a value it refuses in a context. */
export const FILTER_FAILSAFE = 'ZgotmplZ'

const HTML: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', '&': '&amp;', "'": '&#39;', '+': '&#43;', '<': '&lt;', '>': '&gt;' }
const NOSPACE: Record<string, string> = {
  ...HTML, '\t': '&#9;', '\n': '&#10;', '\v': '&#11;', '\f': '&#12;', '\r': '&#13;', ' ': '&#32;', '=': '&#61;', '`': '&#96;',
}

function replace(s: string, table: Record<string, string>, keepAmp = false): string {
  let out = ''
  for (const c of s) out += keepAmp && c === '&' ? c : (table[c] ?? c)
  return out
}

/** Go's html/template element-text escaping (`&#34;`, `&#39;`, `&#43;` as Go writes them). */
export function escapeText(s: string): string {
  return replace(s, HTML)
}

/** Removes tags from trusted HTML put in an attribute, as Go's stripTags does (roughly: text outside `<...>`). */
function stripTags(s: string): string {
  return s.replace(/<[^>]*>?/g, '')
}

/** Percent-encodes a URL the way html/template does: `normalize` keeps reserved characters and `%`. */
function processUrl(s: string, normalize: boolean): string {
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    if (/[A-Za-z0-9\-._~]/.test(c) || (normalize && /[!#$&*+,/:;=?@[\]%]/.test(c))) out += c
    else out += `%${byte.toString(16).padStart(2, '0')}`
  }
  return out
}

/** Only http, https, mailto or relative URLs may start a URL attribute; anything else becomes `#ZgotmplZ`. */
function urlFilter(s: string): string {
  const colon = s.indexOf(':')
  if (colon >= 0 && !/[/?#]/.test(s.slice(0, colon))) {
    const scheme = s.slice(0, colon).toLowerCase()
    if (scheme !== 'http' && scheme !== 'https' && scheme !== 'mailto') return `#${FILTER_FAILSAFE}`
  }
  return s
}

/** `srcset`: each comma-separated `URL [descriptor]` must hold a safe URL and a plain descriptor, else `#ZgotmplZ`. */
function srcset(s: string): string {
  return s
    .split(',')
    .map((element) => {
      const [, lead = '', url = '', meta = ''] = /^(\s*)(\S*)(.*)$/s.exec(element) ?? []
      if (url === '' || urlFilter(url) !== url || !/^[A-Za-z0-9\s]*$/.test(meta)) return `#${FILTER_FAILSAFE}`
      return lead + processUrl(url, true) + meta
    })
    .join(',')
}

const JS_STR: Record<string, string> = {
  '\0': '\\u0000', '\t': '\\t', '\n': '\\n', '\v': '\\u000b', '\f': '\\f', '\r': '\\r', '"': '\\u0022', '`': '\\u0060', '&': '\\u0026',
  "'": '\\u0027', '+': '\\u002b', '/': '\\/', '<': '\\u003c', '>': '\\u003e', '\\': '\\\\', '\u2028': '\\u2028', '\u2029': '\\u2029',
}

/** Escapes text inside a JavaScript string literal (Go's jsStrEscaper). */
export function escapeJsString(s: string): string {
  let out = ''
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0
    out += JS_STR[c] ?? (code < 0x20 ? `\\u00${code.toString(16).padStart(2, '0')}` : c)
  }
  return out
}

/** A value as a JavaScript expression (Go's jsValEscaper): JSON, with `<`, `>`, `&` escaped and identifiers padded. */
function jsValue(v: Value): string {
  const raw = v === undefined ? null : v instanceof SafeHtml ? v.html : v
  const json = (JSON.stringify(raw) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
  return /^[\w$]|[\w$]$/.test(json) ? ` ${json} ` : json
}

/** Only plain CSS values (words, numbers, units, colours) are let through in style contexts. */
function cssValue(s: string): string {
  return /^[\w\s.#%,-]*$/.test(s) && !/expression|url/i.test(s) ? s : FILTER_FAILSAFE
}

/** Attribute names written by a value must be plain and harmless (no event handlers, no style). */
function attrNameFilter(s: string): string {
  const name = s.toLowerCase()
  return /^[a-z0-9-]+$/.test(name) && !name.startsWith('on') && name !== 'style' ? name : FILTER_FAILSAFE
}

/** Writes a value in the given context, escaped as html/template would. */
export function escapeFor(ctx: HtmlContext, v: Value): string {
  const trusted = v instanceof SafeHtml
  const s = printValue(v)
  switch (ctx.state) {
    case 'text':
      return trusted ? s : escapeText(s)
    case 'rcdata':
      return trusted ? replace(s, HTML, true) : escapeText(s)
    case 'comment':
      return ''
    case 'tag':
    case 'attrName':
    case 'afterName':
      return attrNameFilter(s)
    case 'script':
      return ctx.jsQuote === '' ? jsValue(v) : escapeJsString(s)
    case 'style':
      return cssValue(s)
    case 'beforeValue':
    case 'attr': {
      const unquoted = ctx.state === 'beforeValue' || ctx.delim === ''
      let inner: string
      if (ctx.attr === 'url') {
        const part = ctx.state === 'beforeValue' ? 'start' : ctx.urlPart
        inner = part === 'query' ? processUrl(s, false) : processUrl(part === 'start' ? urlFilter(s) : s, true)
      } else if (ctx.attr === 'srcset') inner = srcset(s)
      else if (ctx.attr === 'js') inner = ctx.state === 'attr' && ctx.jsQuote !== '' ? escapeJsString(s) : jsValue(v)
      else if (ctx.attr === 'css') inner = cssValue(s)
      else inner = trusted ? stripTags(s) : s
      if (unquoted) return replace(inner, NOSPACE, trusted && ctx.attr === 'plain')
      return replace(inner, HTML, trusted && ctx.attr === 'plain')
    }
  }
}
