/**
 * Host matching for oauth2-proxy's domain lists (`--whitelist-domain`, the `allowed_email_domains` query constraint),
 * after `IsEndpointAllowed` / `isHostnameAllowed` in `pkg/util/util.go`:
 * - `example.com` allows that host only; `.example.com` and `*.example.com` allow it and its subdomains, dot-aware
 *   (so `badexample.com` never passes for `.example.com`, GHSA-4mf2-f3wh-gvf2);
 * - `host:*` allows any port, `host:8443` that port only, and an entry without a port allows no explicit port.
 * Hosts and entries are compared lower-cased (DNS names are case-insensitive).
 */

interface Entry {
  host: string
  port: string | undefined
}

const DIGITS = /^[0-9]+$/

/** True when host[:port] is allowed by an oauth2-proxy whitelist/domain entry list (exact, `.d`/`*.d` subdomains dot-aware, ports: entry `:*` any, entry `:p` equal, no entry port = none allowed). */
export function isHostAllowed(hostWithPort: string, entries: readonly string[]): boolean {
  const target = splitTarget(hostWithPort.toLowerCase())
  if (target === undefined || target.host === '' || target.host.startsWith('.')) return false
  for (const raw of entries) {
    const entry = splitEntry(raw.trim().toLowerCase())
    if (entry.host === '' || !hostnameAllowed(target.host, entry.host)) continue
    if (entry.port === '*' || entry.port === target.port) return true
  }
  return false
}

/** The host matches exactly (entry without its `.`/`*.` prefix), or is a proper subdomain of a `.d`/`*.d` entry. */
function hostnameAllowed(host: string, entry: string): boolean {
  const suffix = entry.startsWith('*.') ? entry.slice(1) : entry.startsWith('.') ? entry : undefined
  if (suffix === undefined) return host === entry
  if (suffix.length < 2) return false
  if (host === suffix.slice(1)) return true
  return host.length > suffix.length && host.endsWith(suffix)
}

/** Splits what is being checked: `[v6]:port`, `host:port`, `host`. Undefined when the port is not a valid number. */
function splitTarget(value: string): { host: string; port: string | undefined } | undefined {
  if (value.startsWith('[')) {
    const close = value.indexOf(']')
    if (close === -1) return undefined
    const rest = value.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) return undefined
    const port = rest === '' ? undefined : normalizePort(rest.slice(1))
    if (rest !== '' && port === undefined) return undefined
    return { host: value.slice(1, close), port }
  }
  const first = value.indexOf(':')
  // More than one colon without brackets: a bare IPv6 literal, which cannot carry a port.
  if (first === -1 || first !== value.lastIndexOf(':')) return { host: value, port: undefined }
  const port = normalizePort(value.slice(first + 1))
  if (port === undefined) return undefined
  return { host: value.slice(0, first), port }
}

/**
 * Splits a configured entry like Go's modified `SplitHostPort`: a trailing `:digits`, `:*` or `:` is the port
 * (`:` alone meaning none), then surrounding brackets are dropped. One deviation: an unbracketed IPv6 literal
 * (`::1`) is taken whole, where Go would read its last group as a port.
 */
function splitEntry(value: string): Entry {
  const colon = value.lastIndexOf(':')
  let host = value
  let port: string | undefined
  const unbracketedV6 = !value.startsWith('[') && value.indexOf(':') !== colon
  if (colon !== -1 && !unbracketedV6) {
    const tail = value.slice(colon + 1)
    if (tail === '' || tail === '*' || DIGITS.test(tail)) {
      host = value.slice(0, colon)
      port = tail === '' ? undefined : tail === '*' ? '*' : normalizePort(tail)
      // A port Go would keep as text but that no URL can carry (99999) allows nothing.
      if (tail !== '' && port === undefined) return { host: '', port: undefined }
    }
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  return { host, port }
}

function normalizePort(text: string): string | undefined {
  if (!DIGITS.test(text) || text.length > 5) return undefined
  const value = Number(text)
  return value > 65535 ? undefined : String(value)
}
