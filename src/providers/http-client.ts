import { readFileSync } from 'node:fs'
import { rootCertificates } from 'node:tls'
import { Agent, fetch as undiciFetch } from 'undici'

export interface ProviderTlsOptions {
  /** `--provider-ca-file`: PEM files trusted for IdP calls (replacing the system roots unless `useSystemTrustStore`). */
  caFiles: readonly string[]
  useSystemTrustStore: boolean
  /** `--ssl-insecure-skip-verify`. */
  insecureSkipVerify: boolean
  /** Bound on every IdP call, connect to last byte. */
  timeoutMs: number
}

/** A fetch for IdP calls with the configured trust and a bounded time; the only HTTP client the providers use. */
export function createProviderFetch(options: ProviderTlsOptions): typeof fetch {
  const ca = options.caFiles.length === 0 ? undefined : [...options.caFiles.map((f) => readFileSync(f, 'utf8')), ...(options.useSystemTrustStore ? rootCertificates : [])]
  const dispatcher = new Agent({
    connect: { rejectUnauthorized: !options.insecureSkipVerify, ...(ca === undefined ? {} : { ca }), timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  })
  const bounded = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const signal = init?.signal ?? AbortSignal.timeout(options.timeoutMs)
    return undiciFetch(input as never, { ...(init as object), signal, dispatcher } as never) as unknown as Promise<Response>
  }
  return bounded as typeof fetch
}
