import { ProxyError } from '../errors.js'

/** A set of IP addresses and networks, asked one address at a time (`--trusted-ip`, `--trusted-proxy-ip`). */
export interface IpSet {
  has(ip: string): boolean
  readonly size: number
}

/** One parsed network: 16 address bytes (IPv4 held as IPv4-mapped IPv6), a prefix length over those bytes, and its family. */
interface Network {
  bytes: Uint8Array
  prefix: number
  v4: boolean
}

const IPV4_PART = /^(?:0|[1-9][0-9]{0,2})$/
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/
const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/

/**
 * Builds an IpSet from IPs and CIDRs (IPv4, IPv6, either with `/prefix`). Throws ProxyError('ERR_CONFIG_INVALID') naming the bad entry.
 * Families follow Go's `net.IPNet.Contains`, which oauth2-proxy uses: an IPv4 address (or its IPv4-mapped IPv6 form
 * `::ffff:a.b.c.d`) only matches IPv4 entries (or IPv4-mapped ones), and an IPv6 entry such as `::/0` never matches IPv4.
 */
export function createIpSet(entries: readonly string[]): IpSet {
  const networks: Network[] = []
  for (const entry of entries) {
    const network = parseNetwork(entry.trim())
    if (network === undefined) {
      throw new ProxyError('ERR_CONFIG_INVALID', 500, `invalid IP address or CIDR range ${JSON.stringify(entry)}: expected forms like 10.0.0.1, 10.0.0.0/8, ::1 or fd00::/8`)
    }
    networks.push(network)
  }
  return {
    size: networks.length,
    has(ip: string): boolean {
      const address = parseAddress(stripZone(ip.trim()))
      if (address === undefined) return false
      const v4 = isMapped(address)
      return networks.some((n) => n.v4 === v4 && inNetwork(address, n))
    },
  }
}

/** True when `entry` is an IPv4/IPv6 address or CIDR range that createIpSet accepts. */
export function isValidIpOrCidr(entry: string): boolean {
  return parseNetwork(entry.trim()) !== undefined
}

function parseNetwork(entry: string): Network | undefined {
  const slash = entry.indexOf('/')
  const addressText = slash === -1 ? entry : entry.slice(0, slash)
  const written4 = !addressText.includes(':')
  const address = parseAddress(addressText)
  if (address === undefined) return undefined
  let prefix = 128
  if (slash !== -1) {
    const prefixText = entry.slice(slash + 1)
    if (!PREFIX.test(prefixText)) return undefined
    const bits = Number(prefixText)
    if (bits > (written4 ? 32 : 128)) return undefined
    prefix = written4 ? bits + 96 : bits
  }
  // Go's ParseCIDR accepts host bits and keeps the network: 10.1.2.3/8 is 10.0.0.0/8.
  const bytes = mask(address, prefix)
  return { bytes, prefix, v4: isMapped(bytes) }
}

/** Parses a dotted-quad IPv4 (no leading zeros, as Go since 1.17) or an IPv6 address into 16 bytes. */
function parseAddress(text: string): Uint8Array | undefined {
  if (text === '') return undefined
  if (!text.includes(':')) {
    const v4 = parseIpv4(text)
    if (v4 === undefined) return undefined
    const out = new Uint8Array(16)
    out[10] = 0xff
    out[11] = 0xff
    out.set(v4, 12)
    return out
  }
  return parseIpv6(text)
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const out: number[] = []
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return undefined
    const value = Number(part)
    if (value > 255) return undefined
    out.push(value)
  }
  return out
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':')
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : []
  const groups: number[] = []
  const all = [...head, ...tail]
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups and may only come last.
  let embedded: number[] | undefined
  const last = all[all.length - 1]
  if (last !== undefined && last.includes('.')) {
    embedded = parseIpv4(last)
    if (embedded === undefined) return undefined
    if (tail.length > 0) tail.pop()
    else if (halves.length === 1) head.pop()
    else return undefined
  }
  for (const group of [...head, ...tail]) if (!HEX_GROUP.test(group)) return undefined
  const count = head.length + tail.length + (embedded === undefined ? 0 : 2)
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined
  for (const g of head) groups.push(parseInt(g, 16))
  for (let i = count; i < 8; i++) groups.push(0)
  for (const g of tail) groups.push(parseInt(g, 16))
  const out = new Uint8Array(16)
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8
    out[i * 2 + 1] = g & 0xff
  })
  if (embedded !== undefined) out.set(embedded, 12)
  return out
}

function stripZone(ip: string): string {
  const percent = ip.indexOf('%')
  return percent === -1 || !ip.includes(':') ? ip : ip.slice(0, percent)
}

/** True for ::ffff:0:0/96, the range Go's `To4()` turns back into IPv4. */
function isMapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

function mask(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(16)
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8))
    out[i] = (bytes[i] ?? 0) & ((0xff << (8 - bits)) & 0xff)
  }
  return out
}

function inNetwork(address: Uint8Array, network: Network): boolean {
  const masked = mask(address, network.prefix)
  for (let i = 0; i < 16; i++) if (masked[i] !== network.bytes[i]) return false
  return true
}
