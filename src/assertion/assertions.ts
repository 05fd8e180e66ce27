import { randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { ProxyError } from '../errors.js'
import type { Session } from '../session/session.js'
import type { KeyRing } from './key-ring.js'

export interface AssertionOptions {
  ring: KeyRing
  /** `--assertion-ttl`: exp - iat. */
  ttlMs: number
  /** The `idp` claim: which provider vouched for the user (a session that names its provider gives that id). */
  idp: string
  /** Whether the provider refused unverified email addresses, for `email_verified` when the session does not say. */
  emailVerified: boolean
  clock: () => number
}

interface Entry {
  kid: string
  /** Past this time (half the lifetime) a new assertion is signed; the old one still has half its life left. */
  refreshAt: number
  token: Promise<string>
  /** The signed token once `token` settled: the hot path reads it without waiting. */
  value?: string
  /** Header records with this assertion added, per base record (base records are cached per session by the injector). */
  merged: WeakMap<object, Readonly<Record<string, string>>>
}

/** Decoded sessions that are not the same object each time (Redis, bearer tokens) find their entry by claims. */
const BY_CLAIMS_MAX = 10_000

/** The claims that do not change between two assertions of one session and audience. */
function stableClaims(session: Session, audience: string, issuer: string, options: AssertionOptions): Record<string, unknown> {
  const claims: Record<string, unknown> = { iss: issuer, aud: audience }
  const sub = session.user ?? session.email
  if (sub !== undefined) claims['sub'] = sub
  if (session.email !== undefined) {
    claims['email'] = session.email
    const verified = session.additionalClaims?.['email_verified']
    claims['email_verified'] = typeof verified === 'boolean' ? verified : options.emailVerified
  }
  claims['groups'] = session.groups ?? []
  const name = session.additionalClaims?.['name']
  if (typeof name === 'string' && name !== '') claims['name'] = name
  if (session.preferredUsername !== undefined) claims['preferred_username'] = session.preferredUsername
  claims['idp'] = session.providerId ?? options.idp
  return claims
}

/**
 * Signs the identity assertions: one JWT per session and audience, reused until half its lifetime has passed or
 * another key signs, so a signed-in client's requests cost a map lookup, not a signature.
 */
export function createAssertions(options: AssertionOptions) {
  const bySession = new WeakMap<Session, Map<string, Entry>>()
  const byClaims = new Map<string, Entry>()

  function fresh(entry: Entry | undefined, now: number): entry is Entry {
    return entry !== undefined && now < entry.refreshAt && entry.kid === options.ring.signer().kid
  }

  function sign(claims: Record<string, unknown>, now: number): Entry {
    const key = options.ring.signer()
    const iat = Math.floor(now / 1000)
    const exp = iat + Math.floor(options.ttlMs / 1000)
    options.ring.signed(key.kid, exp * 1000)
    const entry: Entry = {
      kid: key.kid,
      refreshAt: now + options.ttlMs / 2,
      merged: new WeakMap(),
      token: new SignJWT({ ...claims, jti: randomBytes(16).toString('base64url') })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(exp)
        .sign(key.privateKey),
    }
    entry.token.then(
      (value) => {
        entry.value = value
      },
      () => {
        // A failed signature is never reused: the next request signs again.
        entry.refreshAt = 0
      },
    )
    return entry
  }

  function entryFor(session: Session, audience: string, issuer: string): Entry {
    const now = options.clock()
    const slot = `${issuer} ${audience}`
    let perSession = bySession.get(session)
    const cached = perSession?.get(slot)
    if (fresh(cached, now)) return cached
    const claims = stableClaims(session, audience, issuer, options)
    const fingerprint = JSON.stringify(claims)
    let entry = byClaims.get(fingerprint)
    if (!fresh(entry, now)) {
      entry = sign(claims, now)
      if (byClaims.size >= BY_CLAIMS_MAX) byClaims.delete(byClaims.keys().next().value as string)
      byClaims.delete(fingerprint)
      byClaims.set(fingerprint, entry)
    }
    if (perSession === undefined) {
      perSession = new Map()
      bySession.set(session, perSession)
    }
    perSession.set(slot, entry)
    return entry
  }

  async function tokenOf(entry: Entry): Promise<string> {
    if (entry.value !== undefined) return entry.value
    try {
      return await entry.token
    } catch (err) {
      throw new ProxyError('ERR_INTERNAL', 500, 'the identity assertion could not be signed', { cause: err })
    }
  }

  return {
    /** The assertion JWT for this session at this audience, signed by `issuer` (gatehouse's public URL). */
    assertionFor(session: Session, audience: string, issuer: string): Promise<string> {
      return tokenOf(entryFor(session, audience, issuer))
    },

    /** `base` (a header record reused across requests) plus `header: <assertion>`; the result is reused too. */
    async withAssertion(base: Readonly<Record<string, string>>, header: string, session: Session, audience: string, issuer: string): Promise<Readonly<Record<string, string>>> {
      const entry = entryFor(session, audience, issuer)
      let merged = entry.merged.get(base)
      if (merged === undefined) {
        merged = Object.freeze({ ...base, [header]: await tokenOf(entry) })
        entry.merged.set(base, merged)
      }
      return merged
    },
  }
}

export type Assertions = ReturnType<typeof createAssertions>
