import { createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Config, CrossProblem } from './shape.js'

/** `--provider=login.gov` needs its signing key (exactly one of --jwt-key and --jwt-key-file) and --pubjwk-url. */
export function loginGovProblems(c: Config): CrossProblem[] {
  if (c.provider !== 'login.gov') return []
  const out: CrossProblem[] = []
  if (c.jwtKey !== '' && c.jwtKeyFile !== '') {
    out.push({ key: 'jwtKeyFile', message: 'set either --jwt-key or --jwt-key-file, not both' })
  } else if (c.jwtKey === '' && c.jwtKeyFile === '') {
    out.push({ key: 'jwtKey', message: 'login.gov signs its client assertion with an RSA private key: set --jwt-key (PEM) or --jwt-key-file' })
  } else if (c.jwtKey !== '') {
    const problem = jwtKeyProblem(c.jwtKey)
    if (problem !== undefined) out.push({ key: 'jwtKey', message: problem })
  } else {
    let pem: string | undefined
    try {
      pem = readFileSync(c.jwtKeyFile, 'utf8')
    } catch (err) {
      out.push({ key: 'jwtKeyFile', message: `cannot read ${c.jwtKeyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'}): give a readable PEM file` })
    }
    const problem = pem === undefined ? undefined : jwtKeyProblem(pem)
    if (problem !== undefined) out.push({ key: 'jwtKeyFile', message: `${c.jwtKeyFile}: ${problem}` })
  }
  if (c.pubjwkUrl === '') {
    out.push({ key: 'pubjwkUrl', message: 'login.gov ID tokens are verified with the key set at --pubjwk-url (e.g. https://secure.login.gov/api/openid_connect/certs): set it' })
  }
  return out
}

/** A problem with the PEM key, or undefined when it is an RSA private key. */
export function jwtKeyProblem(pem: string): string | undefined {
  try {
    const key = createPrivateKey(pem)
    return key.asymmetricKeyType === 'rsa' ? undefined : `the key is ${key.asymmetricKeyType ?? 'not asymmetric'}, login.gov needs an RSA private key`
  } catch {
    return 'not a PEM private key (expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)'
  }
}
