import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { connectionTokens, hasToken, isHopByHop } from './hop-by-hop.js'

/** What shapes the header block of one upstream request. */
export interface RequestHeaderInput {
  /** Host header value to send upstream. */
  host: string
  /** Set after `removeHeaders` are deleted; a name here replaces every client value of that name. Never changed once passed (its lower-cased names are cached with it). */
  setHeaders: Readonly<Record<string, string>>
  /** Client headers to drop, matched case-insensitively. */
  removeHeaders: readonly string[]
  /** For a tunnel: the protocol to ask for (`Connection: Upgrade` + `Upgrade: <protocol>`). */
  upgrade?: string
}

/** Never copied from the client as-is: recomputed below or not supported by the upstream client. */
const RECOMPUTED = new Set(['host', 'content-length', 'x-forwarded-for', 'expect'])

const NO_NAMES: ReadonlySet<string> = new Set()

/** The lower-cased names of a `setHeaders` record; kept per record, which callers reuse across requests. */
const setNamesCache = new WeakMap<object, ReadonlySet<string>>()

function lowerNames(headers: Readonly<Record<string, string>>): ReadonlySet<string> {
  let names = setNamesCache.get(headers)
  if (names === undefined) {
    names = new Set(Object.keys(headers).map((name) => name.toLowerCase()))
    setNamesCache.set(headers, names)
  }
  return names
}

/**
 * Builds the upstream request headers as a flat `[name, value, ...]` list, client order and casing kept:
 * hop-by-hop headers dropped (RFC 9110 §7.6.1), `removeHeaders` dropped, `setHeaders` added, the peer
 * appended to X-Forwarded-For, X-Forwarded-Proto/Host added when absent. Host comes first.
 */
export function buildRequestHeaders(req: IncomingMessage, input: RequestHeaderInput): string[] {
  const removed = input.removeHeaders.length === 0 ? NO_NAMES : new Set(input.removeHeaders.map((name) => name.toLowerCase()))
  const setNames = lowerNames(input.setHeaders)
  const listed = connectionTokens(req.headers.connection)
  const out: string[] = ['Host', input.host]
  let hasProto = false
  let hasHost = false
  let priorFor = ''
  const raw = req.rawHeaders

  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    // HTTP/2 pseudo-headers (`:path`, `:authority`...) describe this hop only (RFC 9113 §8.3).
    if (name.charCodeAt(0) === 58) continue
    const lower = name.toLowerCase()
    if (removed.has(lower) || setNames.has(lower)) continue
    if (lower === 'x-forwarded-for') {
      priorFor = priorFor === '' ? (raw[i + 1] as string) : `${priorFor}, ${raw[i + 1] as string}`
      continue
    }
    if (RECOMPUTED.has(lower) || isHopByHop(lower, listed)) continue
    out.push(name, raw[i + 1] as string)
    if (lower === 'x-forwarded-proto') hasProto = true
    else if (lower === 'x-forwarded-host') hasHost = true
  }

  const length = req.headers['content-length']
  if (length !== undefined && !removed.has('content-length') && !setNames.has('content-length')) out.push('Content-Length', length)
  // Go's ReverseProxy keeps `TE: trailers` so gRPC-style upstreams still send trailers.
  if (!removed.has('te') && hasToken(req.headers.te, 'trailers')) out.push('TE', 'trailers')
  if (input.upgrade !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', input.upgrade)

  for (const name in input.setHeaders) out.push(name, input.setHeaders[name] as string)
  if (setNames.has('x-forwarded-proto')) hasProto = true
  if (setNames.has('x-forwarded-host')) hasHost = true

  if (!setNames.has('x-forwarded-for')) {
    const peer = peerAddress(req)
    const value = peer === undefined ? priorFor : priorFor === '' ? peer : `${priorFor}, ${peer}`
    if (value !== '') out.push('X-Forwarded-For', value)
  }
  if (!hasProto) out.push('X-Forwarded-Proto', (req.socket as TLSSocket).encrypted === true ? 'https' : 'http')
  const clientHost = req.headers.host
  if (!hasHost && clientHost !== undefined && clientHost !== '') out.push('X-Forwarded-Host', clientHost)
  return out
}

/** The TCP peer's IP (IPv4-mapped IPv6 shown as IPv4); undefined for unix-socket listeners. */
export function peerAddress(req: IncomingMessage): string | undefined {
  const ip = req.socket.remoteAddress
  if (ip === undefined || ip === '') return undefined
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}
