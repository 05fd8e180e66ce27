import type { KeyObject } from 'node:crypto'
import { createRemoteJWKSet, customFetch as joseFetch, errors } from 'jose'
import { audienceProblem } from './claims.js'
import { verifyWithKeys, type KeySource } from './static-keys.js'

/** JWS algorithms accepted from bearer tokens unless `--oidc-enabled-signing-alg` says otherwise: asymmetric only. */
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']
const CLOCK_TOLERANCE_SEC = 30
/** An unknown `kid` re-fetches the key set at most this often: bearer tokens come from clients, who choose the kid. */
const JWKS_COOLDOWN_MS = 30_000
const JWKS_MAX_AGE_MS = 10 * 60_000
/** After a failed discovery, requests within this long fail at once instead of calling the IdP again. */
const DISCOVERY_RETRY_MS = 5_000

/**
 * Which `iss` values an issuer signs. The default is the configured issuer alone; Entra ID's multi-tenant endpoints
 * (`/common/v2.0`, `/organizations/v2.0`) publish the template `<origin>/{tenantid}/v2.0` and sign per tenant.
 */
export interface IssuerPolicy {
  /** Whether a token naming `iss` is this issuer's to verify; asked before any network call. */
  mayIssue(iss: unknown): boolean
  /** Whether the discovery document's `issuer` belongs to the configured issuer URL. */
  acceptsDiscovered(discovered: unknown): boolean
  /** The `iss` a verified token must carry, from the discovered issuer and the token's claims. */
  expected(discovered: string, claims: Readonly<Record<string, unknown>>): string
}

/** go-oidc's rule: the discovered issuer and every token's `iss` are exactly the configured issuer. */
export function exactIssuer(issuer: string): IssuerPolicy {
  return { mayIssue: (iss) => iss === issuer, acceptsDiscovered: (discovered) => discovered === issuer, expected: () => issuer }
}

/** One issuer whose JWTs are accepted as bearer tokens. */
export interface JwtIssuerOptions {
  issuer: string
  /** Default: exactIssuer(issuer). */
  issuerPolicy?: IssuerPolicy
  /** The key set URL when known (`--oidc-jwks-url`); otherwise found by discovery. */
  jwksUrl?: string
  /** Fixed public keys (`--oidc-public-key-file` with `--skip-oidc-discovery`): no discovery, no JWKS. */
  publicKeys?: readonly KeyObject[]
  /** Accepted audiences: the first of `audienceClaims` present must hold one. */
  audiences: readonly string[]
  audienceClaims: readonly string[]
  /** Empty means every asymmetric algorithm. */
  algorithms: readonly string[]
  /** oauth2-proxy's extra issuers: when discovery is not found (404), use `<issuer>/.well-known/jwks.json`. */
  jwksJsonFallback: boolean
  fetch: typeof fetch
  timeoutMs: number
  clock: () => number
}

/** The outcome of verifying a JWT: its claims, a reason it is not valid, or why the issuer could not be asked. */
export type JwtVerifyOutcome =
  | { kind: 'valid'; claims: Record<string, unknown> }
  | { kind: 'invalid'; reason: string }
  | { kind: 'unavailable'; reason: string }

/** jose's errors that mean "this token is not valid", as opposed to "the key set could not be fetched". */
const TOKEN_ERRORS: ReadonlyArray<new (...args: never[]) => Error> = [
  errors.JWTClaimValidationFailed, errors.JWTExpired, errors.JWTInvalid, errors.JWSInvalid, errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed, errors.JOSENotSupported, errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys,
]

/** Verifies JWTs of one issuer against its discovered JWKS (signature, `iss`, audience, `exp`/`nbf`). */
export function createJwtIssuer(options: JwtIssuerOptions) {
  let keys: Promise<KeySource> | undefined
  let failedAt = Number.NEGATIVE_INFINITY
  let lastFailure = ''
  let discoveredIssuer = options.issuer
  const base = options.issuer.replace(/\/$/, '')
  const policy = options.issuerPolicy ?? exactIssuer(options.issuer)

  async function get(url: string): Promise<Response> {
    return options.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs) })
  }

  async function jwksUri(): Promise<string> {
    if (options.jwksUrl !== undefined && options.jwksUrl !== '') return options.jwksUrl
    const res = await get(`${base}/.well-known/openid-configuration`)
    if (res.status === 404 && options.jwksJsonFallback) {
      await res.body?.cancel()
      return `${base}/.well-known/jwks.json`
    }
    if (!res.ok) throw new Error(`discovery answered ${res.status}`)
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown }
    // go-oidc: the discovered issuer must be the configured one (or its tenant template, for Entra ID).
    if (typeof doc.issuer !== 'string' || !policy.acceptsDiscovered(doc.issuer)) throw new Error(`discovery names issuer ${JSON.stringify(doc.issuer)}`)
    if (typeof doc.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri')
    discoveredIssuer = doc.issuer
    return doc.jwks_uri
  }

  function keySet(): Promise<KeySource> {
    if (options.publicKeys !== undefined && options.publicKeys.length > 0) keys ??= Promise.resolve({ kind: 'static', keys: options.publicKeys })
    keys ??= jwksUri().then(
      (uri): KeySource => ({ kind: 'jwks', getKey: createRemoteJWKSet(new URL(uri), { timeoutDuration: options.timeoutMs, cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: JWKS_MAX_AGE_MS, [joseFetch]: options.fetch }) }),
      (err: unknown) => {
        keys = undefined
        failedAt = options.clock()
        lastFailure = `discovery of ${options.issuer} failed: ${(err as Error).message}`
        throw err
      },
    )
    return keys
  }

  return {
    issuer: options.issuer,
    /** Whether a token naming `iss` is this issuer's (no network call). */
    mayIssue: (iss: unknown): boolean => policy.mayIssue(iss),
    /** Fetches discovery ahead of the first token; a failure is retried on use. */
    async warmUp(): Promise<void> {
      await keySet()
    },
    async verify(token: string): Promise<JwtVerifyOutcome> {
      if (keys === undefined && options.clock() - failedAt < DISCOVERY_RETRY_MS) return { kind: 'unavailable', reason: lastFailure }
      let source: KeySource
      try {
        source = await keySet()
      } catch {
        return { kind: 'unavailable', reason: lastFailure }
      }
      try {
        // jose refuses `alg: none`, and an HMAC alg cannot select an RSA or EC key from the set (no key confusion).
        const { payload } = await verifyWithKeys(token, source, {
          algorithms: options.algorithms.length > 0 ? [...options.algorithms] : ASYMMETRIC_ALGS,
          clockTolerance: CLOCK_TOLERANCE_SEC,
          currentDate: new Date(options.clock()),
          requiredClaims: ['exp'],
        })
        const claims = payload as Record<string, unknown>
        const expected = policy.expected(discoveredIssuer, claims)
        if (claims['iss'] !== expected) return { kind: 'invalid', reason: `unexpected "iss" claim value (expected ${expected})` }
        const problem = audienceProblem(claims, options.audiences, options.audienceClaims)
        return problem === undefined ? { kind: 'valid', claims } : { kind: 'invalid', reason: problem }
      } catch (err) {
        if (TOKEN_ERRORS.some((type) => err instanceof type)) return { kind: 'invalid', reason: (err as Error).message }
        return { kind: 'unavailable', reason: `the key set of ${options.issuer} could not be fetched: ${(err as Error).message}` }
      }
    },
  }
}

export type JwtIssuer = ReturnType<typeof createJwtIssuer>
