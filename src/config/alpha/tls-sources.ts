import { createSecureContext } from 'node:tls'
import type { PathIssue } from './decode.js'
import type { SecretSource, TlsConfig } from './types.js'

/** What a certificate or key source must hold, as Go's tls.X509KeyPair reads it. */
const PARTS = {
  cert: { what: 'the PEM certificate (chain)', block: /-----BEGIN CERTIFICATE-----/, expected: '-----BEGIN CERTIFICATE-----' },
  key: { what: 'the PEM private key', block: /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/, expected: '-----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY)' },
} as const

type Part = keyof typeof PARTS

function kindOf(source: SecretSource): 'value' | 'fromEnv' | 'fromFile' {
  return source.fromEnv !== undefined ? 'fromEnv' : source.fromFile !== undefined ? 'fromFile' : 'value'
}

/** One certificate or key source: set, non-empty and PEM. The contents are never quoted in a message. */
function sourceIssue(part: Part, source: SecretSource, at: string, env: Readonly<Record<string, string | undefined>>): PathIssue | undefined {
  const { what, block, expected } = PARTS[part]
  const kind = kindOf(source)
  const path = `${at}.${kind}`
  if (kind === 'fromEnv' && env[source.fromEnv ?? ''] === undefined) {
    return { path, message: `the environment variable ${source.fromEnv ?? ''} is not set: it must hold ${what}` }
  }
  const where = kind === 'fromEnv' ? `the environment variable ${source.fromEnv ?? ''}` : kind === 'fromFile' ? `the file ${JSON.stringify(source.fromFile)}` : 'the value'
  if (source.resolved.trim() === '') return { path, message: `${where} is empty: it must hold ${what}` }
  if (!block.test(source.resolved)) {
    return { path, message: `${where} is not PEM: expected ${what} starting with ${expected} (the value is used literally, not base64-decoded)` }
  }
  return undefined
}

/**
 * The checks oauth2-proxy makes when it loads the certificate of a secure bind address (getCertificate), with the
 * path of the field at fault: `tls` present, cert and key both given, each source set and PEM, and the pair
 * loadable together (a key that does not match the certificate is refused here, not at the first connection).
 * `given` says which of cert and key the file wrote (a source written but invalid was reported already).
 */
export function tlsSourceIssues(tls: TlsConfig | undefined, given: Readonly<Record<Part, boolean>>, at: string, env: Readonly<Record<string, string | undefined>>): PathIssue[] {
  if (tls === undefined) return [{ path: `${at}.secureBindAddress`, message: `a secure bind address needs ${at}.tls with cert and key` }]
  const issues: PathIssue[] = []
  for (const part of ['cert', 'key'] as const) {
    const source = tls[part]
    if (source === undefined) {
      if (!given[part]) issues.push({ path: `${at}.tls`, message: `set ${at}.tls.${part} (${PARTS[part].what}): a secure bind address needs both cert and key` })
      continue
    }
    const issue = sourceIssue(part, source, `${at}.tls.${part}`, env)
    if (issue !== undefined) issues.push(issue)
  }
  if (issues.length > 0 || tls.cert === undefined || tls.key === undefined) return issues
  try {
    createSecureContext({ cert: tls.cert.resolved, key: tls.key.resolved })
  } catch (err) {
    issues.push({ path: `${at}.tls`, message: `the certificate and key do not load together (${(err as Error).message}): give the key that belongs to the certificate` })
  }
  return issues
}
