import { decodeJwt } from 'jose'
import type { Session } from '../session/session.js'
import { claimToGroups, claimToString, getClaim } from './claims.js'
import type { JwtIssuer } from './jwt-issuer.js'

/** How the main provider reads a bearer token's claims (its --oidc-*-claim options); extra issuers use the defaults. */
export interface ClaimNames {
  email: string
  groups: string
  allowUnverifiedEmail: boolean
  /** The alpha `providers[].additionalClaims` kept in the session (main provider only, as in oauth2-proxy). */
  additional?: readonly string[]
}

/** oauth2-proxy's CreateTokenToSessionFunc reads fixed claim names: extra issuers, and providers without their own reading (azure). */
export const DEFAULT_CLAIMS: ClaimNames = { email: 'email', groups: 'groups', allowUnverifiedEmail: false }

/**
 * A provider's own reading of its bearer tokens (oauth2-proxy's per-provider CreateSessionFromToken): the generic
 * session refined with what the verified claims say (Keycloak roles, cidaas groups...), or the reason to refuse it.
 * Token-only: no call to the IdP, since a bearer token is usually not one the IdP's APIs accept.
 */
export type BearerRefine = (session: Session, claims: Readonly<Record<string, unknown>>) => Session | string

/** How the main provider's bearer tokens become sessions: its claim names and its refinement. */
export interface MainBearer {
  issuer: JwtIssuer
  claims: ClaimNames
  refine?: BearerRefine
}

/** A verified bearer token's session; or why there is none: the token is not valid, or its issuer did not answer. */
export type BearerOutcome =
  | { kind: 'session'; session: Session }
  | { kind: 'invalid'; reason: string }
  | { kind: 'unavailable'; reason: string }

/**
 * oauth2-proxy's CreateSessionFromToken (main provider) and CreateTokenToSessionFunc (extra issuers): `sub` is the
 * user and must be there, the email claim falls back to `sub`, `email_verified: false` is refused, the JWT is the access and ID token
 * and its `exp` the expiry. Never stored, never refreshed.
 */
export function sessionFromBearerClaims(token: string, claims: Readonly<Record<string, unknown>>, names: ClaimNames): Session | string {
  const sub = claimToString(claims['sub'])
  // Unlike oauth2-proxy, a token that names no subject is no identity (OIDC Core §2 and RFC 9068 §2.2 require `sub`):
  // the upstream would get an email and groups but no X-Forwarded-User.
  if (sub === undefined || sub === '') return 'the token has no sub claim'
  const email = claimToString(getClaim(claims, names.email)) ?? sub
  if (!names.allowUnverifiedEmail) {
    const verified = getClaim(claims, 'email_verified')
    if (verified === false || verified === 'false') return `email ${email ?? ''} is not verified`
  }
  const groups = claimToGroups(getClaim(claims, names.groups))
  const preferredUsername = claimToString(claims['preferred_username'])
  const additionalClaims = additionalOf(claims, names.additional ?? [])
  const exp = claims['exp']
  return {
    accessToken: token,
    idToken: token,
    ...(typeof exp === 'number' ? { expiresOn: new Date(exp * 1000) } : {}),
    ...(email === undefined ? {} : { email }),
    ...(sub === undefined ? {} : { user: sub }),
    ...(groups === undefined || groups.length === 0 ? {} : { groups }),
    ...(preferredUsername === undefined ? {} : { preferredUsername }),
    ...(additionalClaims === undefined ? {} : { additionalClaims }),
  }
}

/** oauth2-proxy's buildSessionFromClaims for `additionalClaims`: each name read as the other claims are (dotted paths), kept as its JSON value. */
function additionalOf(claims: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, unknown> | undefined {
  const found: Record<string, unknown> = {}
  for (const name of names) {
    const value = getClaim(claims, name)
    if (value !== undefined) found[name] = value
  }
  return Object.keys(found).length > 0 ? found : undefined
}

/**
 * Verifies a bearer JWT against the main issuer, then each `--extra-jwt-issuers` entry, as oauth2-proxy's loaders.
 * Only the issuers the token's (unverified) `iss` names are asked, since verification demands that `iss` anyway: a
 * token of a stranger costs no network call, and no issuer's key set is fetched for another's tokens.
 */
export function createBearerVerifier(main: MainBearer | undefined, extras: readonly JwtIssuer[]) {
  const candidates: readonly MainBearer[] = [...(main === undefined ? [] : [main]), ...extras.map((issuer) => ({ issuer, claims: DEFAULT_CLAIMS }))]
  return {
    async verify(token: string): Promise<BearerOutcome> {
      let iss: unknown
      try {
        iss = decodeJwt(token).iss
      } catch {
        return { kind: 'invalid', reason: 'not a JWT' }
      }
      const reasons: string[] = []
      let unavailable: string | undefined
      for (const candidate of candidates) {
        if (!candidate.issuer.mayIssue(iss)) continue
        const outcome = await candidate.issuer.verify(token)
        if (outcome.kind === 'valid') {
          const generic = sessionFromBearerClaims(token, outcome.claims, candidate.claims)
          const session = typeof generic === 'string' || candidate.refine === undefined ? generic : candidate.refine(generic, outcome.claims)
          if (typeof session !== 'string') return { kind: 'session', session }
          reasons.push(session)
        } else if (outcome.kind === 'unavailable') {
          unavailable ??= outcome.reason
        } else {
          reasons.push(outcome.reason)
        }
      }
      if (reasons.length === 0 && unavailable !== undefined) return { kind: 'unavailable', reason: unavailable }
      return { kind: 'invalid', reason: reasons.length > 0 ? reasons.join('; ') : `issuer ${JSON.stringify(iss)} is not accepted` }
    },
    warmUp(): Promise<unknown> {
      return Promise.allSettled(candidates.map((c) => c.issuer.warmUp()))
    },
  }
}

export type BearerVerifier = ReturnType<typeof createBearerVerifier>
