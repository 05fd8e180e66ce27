import { isDeepStrictEqual } from 'node:util'
import { isTlsOn } from '../config/listeners.js'
import { optionByKey, type Config } from '../config/schema.js'
import type { ConfigIssue } from '../errors.js'

/**
 * Options a reload cannot change, because what they configure is built once per process: the listeners, the
 * `--workers` processes, the session store and its Redis connection, the cookie secret (sessions already issued
 * must still open), the log destination and formats, the metrics listeners, the TLS trust of the provider client,
 * the identity assertion's key ring, tracing, the cookie lifetime the revocation list keeps entries for, and the session
 * admin listener.
 */
export const RESTART_ONLY: readonly (keyof Config)[] = [
  'httpAddress',
  'httpsAddress',
  'http2',
  'workers',
  'watchConfig',
  'sessionStoreType',
  'cookieSecret',
  'metricsAddress',
  'metricsSecureAddress',
  'metricsTlsCertFile',
  'metricsTlsKeyFile',
  'loggingFilename',
  'loggingMaxSize',
  'loggingMaxAge',
  'loggingMaxBackups',
  'loggingCompress',
  'loggingLocalTime',
  'loggingFormat',
  'requestLogging',
  'requestLoggingFormat',
  'authLogging',
  'authLoggingFormat',
  'standardLogging',
  'standardLoggingFormat',
  'errorsToInfoLog',
  'providerCaFiles',
  'useSystemTrustStore',
  'sslInsecureSkipVerify',
  // The assertion key ring outlives runtimes: a key generated at start must stay published across reloads.
  'setIdentityAssertion',
  'assertionKeyFile',
  'assertionSigningAlg',
  'assertionKeyPublishAhead',
  'assertionHeader',
  'assertionTtl',
  'assertionIssuer',
  'assertionAudience',
  // The revocation list and the session index outlive runtimes and keep entries for the cookie lifetime: a longer
  // lifetime after a reload would let a revoked session outlive its revocation.
  'cookieExpire',
  // Tracing is started once per process (the OTEL_* variables are read then too).
  'otelExporterOtlpEndpoint',
  'otelSampleRatio',
  'otelServiceName',
  'otelIncludeUser',
  // The admin listener is built once.
  'adminAddress',
  'adminToken',
  'adminTokenFile',
  'adminGroup',
]

/** What `next` changes that only a restart may change, one issue per option, naming it and the fix. */
export function restartOnlyProblems(current: Config, next: Config): ConfigIssue[] {
  const keys = [...RESTART_ONLY, ...(Object.keys(current) as (keyof Config)[]).filter((k) => k.startsWith('redis'))]
  const issues: ConfigIssue[] = []
  for (const key of keys) {
    if (isDeepStrictEqual(current[key], next[key])) continue
    const meta = optionByKey.get(key)
    const option = `--${meta?.flag ?? key}`
    const message = `a reload cannot change it: restart gatehouse to change ${option}`
    const value = next[key]
    issues.push(meta?.secret === true ? { option, message } : { option, value: Array.isArray(value) ? value.join(',') : String(value), message })
  }
  // The listeners are built once; a renewed certificate (another file, or new contents) is taken for new connections.
  const tlsNext = isTlsOn(next)
  if (isTlsOn(current) !== tlsNext) {
    const legacy = current.tlsCertFile !== '' || next.tlsCertFile !== ''
    const message = `a reload cannot turn the HTTPS listener ${tlsNext ? 'on' : 'off'}: restart gatehouse to change ${legacy ? '--tls-cert-file and --tls-key-file' : 'server.secureBindAddress and server.tls'}`
    issues.push({ option: legacy ? '--tls-cert-file' : 'server.tls', value: legacy ? next.tlsCertFile : next.httpsAddress, message })
  }
  return issues
}
