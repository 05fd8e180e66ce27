// The Crossid write-up (docs/examples/crossid) as its `docker run --env-file crossid.env` reads it, and the flags that
// point it at a development IdP instead of the Crossid tenant (flags beat the environment, as in oauth2-proxy).
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './process.js'

export const CROSSID_ENV = join(REPO_ROOT, 'docs/examples/crossid/crossid.env')

/** Reads a docker --env-file: KEY=value lines, `#` comments and blank lines skipped, values taken literally. */
export function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    assert.ok(eq > 0, `not KEY=value: ${line}`)
    env[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return env
}

/** The endpoints of a discovery document that crossid.env names one by one. */
export interface Endpoints {
  authorization_endpoint: string
  token_endpoint: string
  userinfo_endpoint: string
  jwks_uri: string
}

/** Flags that move crossid.env onto the dev IdP (`gatehouse` client), a proxy URL, an upstream and a fresh cookie secret. */
export function crossidTestFlags(issuer: string, endpoints: Endpoints, proxyUrl: string, upstream: string): string[] {
  return [
    `--oidc-issuer-url=${issuer}`,
    `--login-url=${endpoints.authorization_endpoint}`,
    `--redeem-url=${endpoints.token_endpoint}`,
    `--profile-url=${endpoints.userinfo_endpoint}`,
    `--validate-url=${endpoints.userinfo_endpoint}`,
    `--oidc-jwks-url=${endpoints.jwks_uri}`,
    '--client-id=gatehouse',
    '--client-secret=gatehouse-secret',
    `--redirect-url=${proxyUrl}/oauth2/callback`,
    `--cookie-secret=${randomBytes(32).toString('base64url')}`,
    `--upstream=${upstream}/`,
  ]
}
