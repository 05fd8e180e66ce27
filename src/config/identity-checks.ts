import { createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { ConfigIssue } from '../errors.js'
import type { Config } from './shape.js'

/** The process environment, as loadConfig receives it. */
type Env = Readonly<Record<string, string | undefined>>

/**
 * A problem with a `--oidc-public-key-file` file's text, or undefined when its first PEM block is a `PUBLIC KEY`
 * (SubjectPublicKeyInfo) Node can use: what oauth2-proxy's x509.ParsePKIXPublicKey accepts.
 */
export function publicKeyPemProblem(text: string): string | undefined {
  const block = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/.exec(text)
  if (block === null) return 'no PEM block: expected -----BEGIN PUBLIC KEY-----'
  if (block[1] !== 'PUBLIC KEY') return `the first PEM block is ${block[1] ?? ''}, expected a PUBLIC KEY (openssl pkey -pubout turns a private key into one)`
  try {
    createPublicKey(block[0])
  } catch (err) {
    return `the public key cannot be read: ${(err as Error).message}`
  }
  return undefined
}

function publicKeyProblems(c: Config, warnings: string[]): ConfigIssue[] {
  if (c.oidcPublicKeyFiles.length === 0) return []
  if (!c.skipOidcDiscovery) {
    warnings.push('--oidc-public-key-file is only read with --skip-oidc-discovery (as in oauth2-proxy); ID tokens are verified with the discovered JWKS')
    return []
  }
  const out: ConfigIssue[] = []
  for (const path of c.oidcPublicKeyFiles) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      continue // reported by the readable-files check
    }
    const problem = publicKeyPemProblem(text)
    if (problem !== undefined) out.push({ option: '--oidc-public-key-file', value: path, message: problem })
  }
  return out
}

/** oauth2-proxy's validateEntraConfig: federated token auth needs AZURE_FEDERATED_TOKEN_FILE naming a readable file. */
function entraProblems(c: Config, env: Env): ConfigIssue[] {
  if (c.provider !== 'entra-id' || !c.entraIdFederatedTokenAuth) return []
  const path = env['AZURE_FEDERATED_TOKEN_FILE'] ?? ''
  const option = '--entra-id-federated-token-auth'
  if (path === '') {
    return [{ option, message: 'AZURE_FEDERATED_TOKEN_FILE is not set: enable Azure workload identity on the pod (label azure.workload.identity/use: "true"), or set it to the token file' }]
  }
  try {
    readFileSync(path, 'utf8')
  } catch (err) {
    return [{ option, value: path, message: `cannot read the federated token file named by AZURE_FEDERATED_TOKEN_FILE (${(err as NodeJS.ErrnoException).code ?? 'error'}): check the workload identity volume` }]
  }
  return []
}

/**
 * Checks that need the files or the environment the identity options point at: `--oidc-public-key-file` PEM keys,
 * the Entra ID federated token file.
 * Problems are returned; notes that do not stop the start are added to `warnings`.
 */
export function identityProblems(c: Config, env: Env, warnings: string[]): ConfigIssue[] {
  return [...publicKeyProblems(c, warnings), ...entraProblems(c, env)]
}
