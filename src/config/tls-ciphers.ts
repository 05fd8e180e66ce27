import { getCiphers } from 'node:tls'

/**
 * Go's TLS 1.2 cipher suite names (crypto/tls CipherSuites() and InsecureCipherSuites(), which oauth2-proxy's
 * --tls-cipher-suite accepts) and the OpenSSL name of the same suite; undefined where OpenSSL 3 has none left (RC4).
 */
const GO_TLS12_SUITES: Readonly<Record<string, string | undefined>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_RSA_WITH_RC4_128_SHA: undefined,
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: undefined,
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: undefined,
}

/**
 * Go's TLS 1.3 suites: accepted by name, but Go never lets a configuration narrow TLS 1.3, so all three are always
 * offered. Node takes them in the same `ciphers` string; listing all of them keeps that behaviour.
 */
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const

/** A problem with one `--tls-cipher-suite` value, or undefined when this Node's OpenSSL can offer it. */
export function cipherSuiteProblem(name: string): string | undefined {
  if ((TLS13_SUITES as readonly string[]).includes(name)) return undefined
  if (!Object.hasOwn(GO_TLS12_SUITES, name)) return `unknown TLS cipher suite name; use Go's names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`
  const openssl = GO_TLS12_SUITES[name]
  if (openssl === undefined || !getCiphers().includes(openssl.toLowerCase())) {
    return `this suite has no equivalent in Node's OpenSSL ${process.versions.openssl ?? ''} (RC4 and 3DES are gone): remove it`
  }
  return undefined
}

/**
 * The OpenSSL cipher string for Go suite names already checked by {@link cipherSuiteProblem}: the TLS 1.2 suites named,
 * plus every TLS 1.3 suite (as Go). Undefined for an empty list: OpenSSL's defaults then apply.
 */
export function opensslCipherList(goNames: readonly string[]): string | undefined {
  if (goNames.length === 0) return undefined
  const tls12 = goNames.flatMap((name) => {
    const openssl = GO_TLS12_SUITES[name]
    return openssl === undefined ? [] : [openssl]
  })
  return [...TLS13_SUITES, ...new Set(tls12)].join(':')
}
