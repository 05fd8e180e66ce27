// Signing keys of the development OpenID provider: generated fresh at start and on rotation,
// so oidc-provider never falls back to its built-in development keys.
import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose'
import type { JWK } from 'jose'

/** The private signing JWKs of one generation: an RS256 and an ES256 key. */
export interface SigningKeys {
  RS256: JWK
  ES256: JWK
}

/** Generates one RS256 (2048-bit) and one ES256 key as private JWKs with `kid`, `alg` and `use`. */
export async function generateSigningKeys(): Promise<SigningKeys> {
  const [rsa, ec] = await Promise.all([
    generateKeyPair('RS256', { modulusLength: 2048, extractable: true }),
    generateKeyPair('ES256', { extractable: true }),
  ])
  return {
    RS256: await toJwk(rsa.privateKey, 'RS256'),
    ES256: await toJwk(ec.privateKey, 'ES256'),
  }
}

async function toJwk(key: Parameters<typeof exportJWK>[0], alg: 'RS256' | 'ES256'): Promise<JWK> {
  const jwk = await exportJWK(key)
  return { ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}` }
}

/**
 * The key list handed to oidc-provider: the active generation first (oidc-provider signs with the first
 * key that fits the algorithm), then the previous generation when it is kept for verification.
 */
export function keyList(active: SigningKeys, previous: SigningKeys | undefined): JWK[] {
  return previous === undefined
    ? [active.RS256, active.ES256]
    : [active.RS256, active.ES256, previous.RS256, previous.ES256]
}

/** Signs `claims` as a JWT with the given private JWK; `iat` is added when missing. */
export async function signWithJwk(claims: Record<string, unknown>, jwk: JWK): Promise<string> {
  const alg = jwk.alg ?? 'RS256'
  const key = await importJWK(jwk, alg)
  const payload = { iat: Math.floor(Date.now() / 1000), ...claims }
  return new SignJWT(payload).setProtectedHeader({ alg, kid: jwk.kid, typ: 'JWT' }).sign(key)
}
