import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { createIpSet, type IpSet } from '../lib/cidr.js'

/** What the proxy believes about a request's origin, after deciding whom to trust. */
export interface RequestOrigin {
  /** The direct peer may speak for the client (`--reverse-proxy` and inside `--trusted-proxy-ip`, or a unix socket). */
  trusted: boolean
  /** The client's IP: the real-IP header from a trusted peer, else the TCP peer. Empty for unix sockets. */
  clientIp: string
  /** The TCP peer's address. */
  peerIp: string
  /** `https` or `http` as the client used it. */
  proto: string
  /** Host (with port) as the client used it. */
  host: string
  /** The URI the client asked for (X-Forwarded-Uri or X-Original-URI from a trusted peer, else the request target). */
  uri: string
  /** The method the client used (X-Forwarded-Method from a trusted peer, else the request method). */
  method: string
  /** True when a trusted peer says the original host differs from the Host header (oauth2-proxy's `isForwardedRequest`). */
  forwardedHost: boolean
}

export interface ForwardedOptions {
  reverseProxy: boolean
  trustedProxyIps: readonly string[]
  realClientIpHeader: string
}

/** Builds the resolver that reads X-Forwarded-* only from trusted peers (oauth2-proxy v7.15.2 semantics). */
export function createOriginResolver(options: ForwardedOptions): (req: IncomingMessage) => RequestOrigin {
  const trustedPeers: IpSet | undefined = options.trustedProxyIps.length > 0 ? createIpSet(options.trustedProxyIps) : undefined
  const realIpHeader = options.realClientIpHeader.toLowerCase()

  return (req) => {
    const peerIp = normalizeIp(req.socket.remoteAddress ?? '')
    const isUnix = req.socket.remoteAddress === undefined
    const trusted = options.reverseProxy && (isUnix || trustedPeers === undefined || trustedPeers.has(peerIp))
    const ownProto = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http'
    const hostHeader = req.headers.host ?? ''
    if (!trusted) {
      return { trusted, clientIp: peerIp, peerIp, proto: ownProto, host: hostHeader, uri: req.url ?? '/', method: req.method ?? 'GET', forwardedHost: false }
    }
    const xfHost = firstValue(req.headers['x-forwarded-host'])
    const realIp = firstValue(req.headers[realIpHeader])
    return {
      trusted,
      clientIp: realIp !== undefined && realIp !== '' ? normalizeIp(realIp) : peerIp,
      peerIp,
      proto: firstValue(req.headers['x-forwarded-proto'])?.toLowerCase() ?? ownProto,
      host: xfHost ?? hostHeader,
      uri: firstValue(req.headers['x-forwarded-uri']) ?? firstValue(req.headers['x-original-uri']) ?? req.url ?? '/',
      method: firstValue(req.headers['x-forwarded-method'])?.toUpperCase() ?? req.method ?? 'GET',
      forwardedHost: xfHost !== undefined && xfHost !== hostHeader,
    }
  }
}

/** The first comma-separated item of a header, trimmed; undefined when absent or empty. */
export function firstValue(header: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(header) ? header[0] : header
  if (raw === undefined) return undefined
  const first = raw.split(',')[0]?.trim()
  return first === undefined || first === '' ? undefined : first
}

/** Strips the IPv4-mapped IPv6 prefix so `::ffff:127.0.0.1` reads as `127.0.0.1`. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}
