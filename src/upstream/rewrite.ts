import { encodePath } from './path.js'

/** An upstream's `rewriteTarget`: the compiled path regex and the Go replacement template. */
export interface Rewrite {
  readonly pattern: RegExp
  readonly target: string
}

/** Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`; `$$` is `$`; an unknown group is empty. */
function expand(template: string, match: RegExpExecArray): string {
  return template.replace(/\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (all, braced?: string, bare?: string) => {
    if (all === '$$') return '$'
    const name = braced ?? bare ?? ''
    if (/^\d+$/.test(name)) return match[Number(name)] ?? ''
    return match.groups?.[name] ?? ''
  })
}

/** Go's `ReplaceAllString`: every non-overlapping match replaced by the expanded template. */
function replaceAll(pattern: RegExp, input: string, template: string): string {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`)
  let out = ''
  let last = 0
  for (let m = global.exec(input); m !== null; m = global.exec(input)) {
    out += input.slice(last, m.index) + expand(template, m)
    last = m.index + m[0].length
    if (m[0].length === 0) global.lastIndex++
  }
  return out + input.slice(last)
}

/** Go's `url.QueryEscape`. */
function queryEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+')
}

/** Go's `url.ParseQuery` (lenient) into ordered pairs. */
function parseQuery(query: string): [string, string][] {
  const out: [string, string][] = []
  for (const part of query.split(/[&]/)) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const decode = (s: string): string | undefined => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '))
      } catch {
        return undefined
      }
    }
    const key = decode(eq === -1 ? part : part.slice(0, eq))
    const value = decode(eq === -1 ? '' : part.slice(eq + 1))
    if (key !== undefined && value !== undefined) out.push([key, value])
  }
  return out
}

/**
 * oauth2-proxy's rewritePath: the decoded request path goes through the regex replacement; a `?query` in the result
 * is merged into the request's query, which is then re-encoded with its keys sorted (Go's `Values.Encode`).
 */
export function rewriteUri(rewrite: Rewrite, decodedPath: string, rawUrl: string): string {
  const q = rawUrl.indexOf('?')
  const pairs = parseQuery(q === -1 ? '' : rawUrl.slice(q + 1))
  const replaced = replaceAll(rewrite.pattern, decodedPath, rewrite.target)
  const split = replaced.indexOf('?')
  const path = split === -1 ? replaced : replaced.slice(0, split)
  if (split !== -1) pairs.push(...parseQuery(replaced.slice(split + 1)))
  const byKey = new Map<string, string[]>()
  for (const [key, value] of pairs) byKey.set(key, [...(byKey.get(key) ?? []), value])
  const query = [...byKey.keys()].sort().flatMap((key) => (byKey.get(key) ?? []).map((v) => `${queryEscape(key)}=${queryEscape(v)}`)).join('&')
  return encodePath(path) + (query === '' ? '' : `?${query}`)
}
