import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions, type JWTVerifyResult } from 'jose'

/** Reads the public keys of `--oidc-public-key-file` (checked when the config was loaded). */
export function readPublicKeyFiles(paths: readonly string[]): KeyObject[] {
  return paths.map((path) => {
    const text = readFileSync(path, 'utf8')
    const block = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/.exec(text)
    return createPublicKey(block?.[0] ?? text)
  })
}

/** Whether a key of this type can check a signature made with `alg`. */
function fits(key: KeyObject, alg: string): boolean {
  const type = key.asymmetricKeyType
  if (alg.startsWith('RS') || alg.startsWith('PS')) return type === 'rsa' || type === 'rsa-pss'
  if (alg.startsWith('ES')) return type === 'ec'
  if (alg === 'EdDSA' || alg === 'Ed25519') return type === 'ed25519' || type === 'ed448'
  return false
}

/**
 * Keys that verify JWTs: a JWKS (jose's remote set) or fixed public keys. Fixed keys carry no `kid`, so each key
 * whose type fits the token's algorithm is tried in turn, as go-oidc's StaticKeySet does; the first that verifies wins.
 */
export type KeySource = { kind: 'jwks'; getKey: JWTVerifyGetKey } | { kind: 'static'; keys: readonly KeyObject[] }

/** jwtVerify over a {@link KeySource}; claim errors of a correctly signed token are thrown at once. */
export async function verifyWithKeys(token: string, source: KeySource, options: JWTVerifyOptions): Promise<JWTVerifyResult> {
  if (source.kind === 'jwks') return jwtVerify(token, source.getKey, options)
  let alg: string
  try {
    alg = decodeProtectedHeader(token).alg ?? ''
  } catch (err) {
    throw new errors.JWSInvalid(`not a JWS: ${(err as Error).message}`)
  }
  let last: unknown = new errors.JWKSNoMatchingKey()
  for (const key of source.keys) {
    if (!fits(key, alg)) continue
    try {
      return await jwtVerify(token, key, options)
    } catch (err) {
      if (!(err instanceof errors.JWSSignatureVerificationFailed)) throw err
      last = err
    }
  }
  throw last
}
