import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK } from 'jose'

/** The algorithms an identity assertion is signed with. */
export type AssertionAlg = 'ES256' | 'EdDSA' | 'RS256'

/** A public key as the JWKS publishes it: never a private parameter. */
export interface PublicJwk {
  kty: string
  kid: string
  alg: AssertionAlg
  use: 'sig'
  crv?: string
  x?: string
  y?: string
  n?: string
  e?: string
}

/** One key that signs assertions: the private half stays in memory, the public half is published. */
export interface SigningKey {
  /** RFC 7638 thumbprint of the public key, so every replica names a shared key the same. */
  kid: string
  alg: AssertionAlg
  privateKey: KeyObject
  jwk: PublicJwk
}

/** The only public members of each key type that a JWK may carry (RFC 7518 §6). */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = { EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], RSA: ['n', 'e'] }

/** The algorithm a key signs with, from its type; a description of the problem for a type gatehouse does not sign with. */
export function algorithmOf(key: KeyObject): AssertionAlg | string {
  const type = key.asymmetricKeyType
  if (type === 'ec') return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ES256' : `an EC key on curve ${key.asymmetricKeyDetails?.namedCurve ?? '?'} (only P-256 is used, for ES256)`
  if (type === 'ed25519') return 'EdDSA'
  if (type === 'rsa') return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048 ? 'RS256' : 'an RSA key shorter than 2048 bits'
  return `a key of type ${type ?? 'unknown'} (use EC P-256, Ed25519 or RSA)`
}

/** Wraps a private key with its published half and its thumbprint `kid`. */
export async function signingKeyOf(privateKey: KeyObject, alg: AssertionAlg): Promise<SigningKey> {
  const full = await exportJWK(createPublicKey(privateKey))
  const jwk: Record<string, unknown> = { kty: full.kty }
  for (const member of PUBLIC_MEMBERS[full.kty ?? ''] ?? []) jwk[member] = (full as Record<string, unknown>)[member]
  const kid = await calculateJwkThumbprint(jwk as { kty: string })
  return { kid, alg, privateKey, jwk: { ...(jwk as { kty: string }), kid, alg, use: 'sig' } }
}

/** A fresh key of the algorithm's type, for a start without --assertion-key-file. */
export function generateSigningKey(alg: AssertionAlg): Promise<SigningKey> {
  const pair = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: 2048 })
  return signingKeyOf(pair.privateKey, alg)
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g

/**
 * Every private key of a PEM file, in file order (PKCS#8, SEC 1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"
 * blocks; other blocks such as certificates are skipped). Throws an Error naming the block that is not usable.
 */
export async function parseKeyFile(pem: string): Promise<SigningKey[]> {
  const keys: SigningKey[] = []
  let index = 0
  for (const match of pem.matchAll(PEM_BLOCK)) {
    const label = match[1] ?? ''
    if (!label.endsWith('PRIVATE KEY')) continue
    index += 1
    if (label === 'ENCRYPTED PRIVATE KEY') throw new Error(`key ${index} is encrypted: store it unencrypted (openssl pkcs8 -nocrypt) and protect the file instead`)
    let key: KeyObject
    try {
      key = createPrivateKey(match[0])
    } catch (err) {
      throw new Error(`key ${index} (${label}) cannot be read: ${err instanceof Error ? err.message : String(err)}`)
    }
    const alg = algorithmOf(key)
    if (alg !== 'ES256' && alg !== 'EdDSA' && alg !== 'RS256') throw new Error(`key ${index} is ${alg}`)
    keys.push(await signingKeyOf(key, alg))
  }
  if (keys.length === 0) throw new Error('no PEM private key in the file (generate one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)')
  return keys
}
