import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { connectionTokens, hasToken, isHopByHop } from './hop-by-hop.js'

/** What shapes the header block of one upstream request. */
export interface RequestHeaderInput {
  /** Host header value to send upstream. */
  host: string
  /** Set after `removeHeaders` are deleted; a name here replaces every client value of that name. */
  setHeaders: Readonly<Record<string, string>>
  /** Client headers to drop, matched case-insensitively. */
  removeHeaders: readonly string[]
  /** For a tunnel: the protocol to ask for (`Connection: Upgrade` + `Upgrade: <protocol>`). */
  upgrade?: string
}

/** Never copied from the client as-is: recomputed below or not supported by the upstream client. */
const RECOMPUTED = new Set(['host', 'content-length', 'x-forwarded-for', 'expect'])

/**
 * Builds the upstream request headers as a flat `[name, value, ...]` list, client order and casing kept:
 * hop-by-hop headers dropped (RFC 9110 §7.6.1), `removeHeaders` dropped, `setHeaders` added, the peer
 * appended to X-Forwarded-For, X-Forwarded-Proto/Host added when absent. Host comes first.
 */
export function buildRequestHeaders(req: IncomingMessage, input: RequestHeaderInput): string[] {
  const removed = new Set(input.removeHeaders.map((name) => name.toLowerCase()))
  const setNames = new Set(Object.keys(input.setHeaders).map((name) => name.toLowerCase()))
  const listed = connectionTokens(req.headers.connection)
  const out: string[] = ['Host', input.host]
  const present = new Set<string>()
  const priorFor: string[] = []
  const raw = req.rawHeaders

  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    const lower = name.toLowerCase()
    if (removed.has(lower) || setNames.has(lower)) continue
    if (lower === 'x-forwarded-for') {
      priorFor.push(raw[i + 1] as string)
      continue
    }
    if (RECOMPUTED.has(lower) || isHopByHop(lower, listed)) continue
    out.push(name, raw[i + 1] as string)
    present.add(lower)
  }

  const length = req.headers['content-length']
  if (length !== undefined && !removed.has('content-length') && !setNames.has('content-length')) out.push('Content-Length', length)
  // Go's ReverseProxy keeps `TE: trailers` so gRPC-style upstreams still send trailers.
  if (!removed.has('te') && hasToken(req.headers.te, 'trailers')) out.push('TE', 'trailers')
  if (input.upgrade !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', input.upgrade)

  for (const [name, value] of Object.entries(input.setHeaders)) {
    out.push(name, value)
    present.add(name.toLowerCase())
  }

  if (!setNames.has('x-forwarded-for')) {
    const peer = peerAddress(req)
    const prior = priorFor.join(', ')
    const value = peer === undefined ? prior : prior === '' ? peer : `${prior}, ${peer}`
    if (value !== '') out.push('X-Forwarded-For', value)
  }
  if (!present.has('x-forwarded-proto')) out.push('X-Forwarded-Proto', (req.socket as TLSSocket).encrypted === true ? 'https' : 'http')
  const clientHost = req.headers.host
  if (!present.has('x-forwarded-host') && clientHost !== undefined && clientHost !== '') out.push('X-Forwarded-Host', clientHost)
  return out
}

/** The TCP peer's IP (IPv4-mapped IPv6 shown as IPv4); undefined for unix-socket listeners. */
export function peerAddress(req: IncomingMessage): string | undefined {
  const ip = req.socket.remoteAddress
  if (ip === undefined || ip === '') return undefined
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}
