import { readFileSync } from 'node:fs'
import type { SecretSource } from './alpha/types.js'
import { structuredOf } from './provider-entries.js'
import type { Config } from './shape.js'

/** One main listener: its address as configured and whether it speaks TLS. */
export interface ListenerSpec {
  readonly address: string
  readonly tls: boolean
}

/** The certificate (chain) and private key of the HTTPS listener, as PEM bytes. */
export interface TlsContents {
  readonly cert: Buffer
  readonly key: Buffer
}

/** oauth2-proxy turns a listener off with an empty address or `-`. */
function isOn(address: string): boolean {
  return address !== '' && address !== '-'
}

/**
 * The main listeners, built as oauth2-proxy's server does from the structured `server` block: plain HTTP on
 * bindAddress and HTTPS on secureBindAddress (with tls), both when both are set. Legacy options convert into that
 * block with one of the two only (LegacyServer.convert: a certificate or key means HTTPS only).
 */
export function listenersOf(config: Config): readonly ListenerSpec[] {
  const { bindAddress, secureBindAddress, tls } = structuredOf(config).server
  const out: ListenerSpec[] = []
  if (isOn(bindAddress)) out.push({ address: bindAddress, tls: false })
  if (isOn(secureBindAddress) && tls !== undefined) out.push({ address: secureBindAddress, tls: true })
  return out
}

/** Whether one of the main listeners speaks TLS. */
export function isTlsOn(config: Config): boolean {
  return listenersOf(config).some((l) => l.tls)
}

/** A source's bytes: a file is read now (a reload then takes a renewed certificate), else the value resolved at load. */
function bytesOf(source: SecretSource): Buffer {
  return source.fromFile !== undefined && source.fromFile !== '' ? readFileSync(source.fromFile) : Buffer.from(source.resolved, 'utf8')
}

/**
 * The certificate and key of the HTTPS listener, whichever way they were given (`--tls-cert-file`, or `server.tls`'s
 * `fromFile`, `fromEnv` or `value`); undefined when no listener speaks TLS.
 */
export function tlsContentsOf(config: Config): TlsContents | undefined {
  const tls = structuredOf(config).server.tls
  if (!isTlsOn(config) || tls?.cert === undefined || tls.key === undefined) return undefined
  return { cert: bytesOf(tls.cert), key: bytesOf(tls.key) }
}

/** The certificate and key files of the HTTPS listener (those given as files), which a reload reads again. */
export function tlsFilesOf(config: Config): string[] {
  const tls = structuredOf(config).server.tls
  return [tls?.cert?.fromFile, tls?.key?.fromFile].filter((f): f is string => f !== undefined && f !== '')
}
