import type { Config } from '../config/schema.js'
import type { Services } from '../handlers/services.js'
import type { RequestPlan } from '../http/server.js'
import type { Provider } from '../providers/provider.js'

/** The certificate and key of the HTTPS listener (`--tls-cert-file` / `--tls-key-file`, or `server.tls`) and its TLS settings. */
export interface TlsMaterial {
  readonly cert: Buffer
  readonly key: Buffer
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3'
  /** `--tls-cipher-suite` in OpenSSL's names; undefined leaves Node's default list. */
  readonly ciphers: string | undefined
}

/**
 * Everything derived from one configuration, compiled once and then only read: the services the handlers use, the
 * identity providers by id, and the request plan (route table, pre-auth checks, error pages) the server runs. A
 * reload compiles a new one beside it and swaps the reference; requests keep the runtime they started with.
 */
export interface Runtime {
  readonly config: Config
  readonly services: Services
  /** The identity providers by id (`providers[].id`, or oauth2-proxy's id of the legacy options); in configuration order. */
  readonly providers: ReadonlyMap<string, Provider>
  readonly plan: RequestPlan
  /** The upstream connection pools this runtime's table uses, kept open while it may serve. */
  readonly poolIds: readonly string[]
  readonly tls: TlsMaterial | undefined
  /** Starts provider discovery and key fetches in the background (failures are logged and retried on use). */
  warmUp(): void
  /** Releases what only this runtime holds (file watchers); called once no request uses it. */
  close(): void
}
