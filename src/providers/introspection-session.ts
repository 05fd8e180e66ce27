import type { Config } from '../config/schema.js'
import type { Session } from '../session/session.js'
import { providerReading, type BearerConfig } from './bearer-from-config.js'
import { sessionFromBearerClaims, type BearerOutcome, type BearerRefine, type ClaimNames } from './bearer-sessions.js'
import { claimToString } from './claims.js'
import type { Provider } from './provider.js'

/** How an active token's introspection answer becomes a session: who it must be for, and the provider's reading. */
export interface IntrospectionReading {
  /** `--client-id` and `--oidc-extra-audience`: the token's `aud` or `client_id` must name one of them. */
  audiences: readonly string[]
  claims: ClaimNames
  refine?: BearerRefine
}

/** The audience rule: `aud` (a string or a list) or, for tokens without one, `client_id` names an accepted audience. */
function audienceProblem(answer: Readonly<Record<string, unknown>>, accepted: readonly string[]): string | undefined {
  const aud = answer['aud']
  const values = [...(Array.isArray(aud) ? aud : aud === undefined ? [] : [aud]), answer['client_id']]
  if (values.some((v) => typeof v === 'string' && accepted.includes(v))) return undefined
  const shown = JSON.stringify({ aud: aud ?? null, client_id: answer['client_id'] ?? null })
  return `the token was issued for another client (${shown}); accepted: ${accepted.join(', ')}`
}

/** Answer fields by which IdPs name a token's type: RFC 7662's, Keycloak's, Ory Hydra's. */
const TYPE_FIELDS = ['token_type', 'typ', 'token_use'] as const
const ACCESS_TOKEN_TYPES: ReadonlySet<string> = new Set(['bearer', 'access_token'])

/**
 * The answer must say the token is a bearer access token: a refresh token (which oidc-provider and Doorkeeper answer
 * without any type) or a DPoP-bound one must not pass for one. Every type field present must agree.
 */
function accessTokenProblem(answer: Readonly<Record<string, unknown>>): string | undefined {
  const named = TYPE_FIELDS.filter((f) => answer[f] !== undefined)
  if (named.length === 0) return 'the introspection answer does not say the token is an access token (no token_type, typ or token_use)'
  for (const field of named) {
    const value = answer[field]
    if (typeof value !== 'string' || !ACCESS_TOKEN_TYPES.has(value.toLowerCase())) return `${field} ${JSON.stringify(value)} is not a bearer access token`
  }
  return undefined
}

/**
 * An active token's session (oauth2-proxy's reading of a bearer token, fed with the introspection answer): `sub`
 * (else `username`) is the user, the email claim falls back to it, `email_verified: false` is refused, groups and the
 * provider's roles come from the answer when it carries them. The token is the access token, never an ID token.
 * Refused: an `exp` past or an `nbf` ahead, an answer that does not call it a bearer access token, a sender-constrained
 * (`cnf`) token, a token of another client, an answer naming nobody.
 */
export function sessionFromIntrospection(token: string, answer: Readonly<Record<string, unknown>>, reading: IntrospectionReading, now: number): Session | string {
  const nowSec = now / 1000
  const { exp, nbf } = answer
  if (typeof exp === 'number' && exp <= nowSec) return 'the token has expired'
  if (typeof nbf === 'number' && nbf > nowSec + 30) return 'the token is not valid yet'
  const kind = accessTokenProblem(answer)
  if (kind !== undefined) return kind
  // RFC 7800 / RFC 9449: a DPoP or mTLS-bound token is only valid with its proof, which a bearer header does not carry.
  if (answer['cnf'] !== undefined) return 'the token is sender-constrained (cnf) and cannot be used as a bearer token'
  const audience = audienceProblem(answer, reading.audiences)
  if (audience !== undefined) return audience
  const sub = claimToString(answer['sub']) ?? claimToString(answer['username'])
  if (sub === undefined || sub === '') return 'the introspection answer names no user (no sub or username)'
  const claims = {
    ...answer,
    sub,
    ...(answer['preferred_username'] === undefined && claimToString(answer['username']) !== undefined ? { preferred_username: answer['username'] } : {}),
  }
  const generic = sessionFromBearerClaims(token, claims, reading.claims)
  if (typeof generic === 'string') return generic
  const { idToken: _notAnIdToken, ...session } = generic
  return reading.refine === undefined ? session : reading.refine(session, claims)
}

/** Checks opaque tokens at the provider: an active answer read as a session, an inactive one refused, a failure unavailable. */
export function createIntrospectionVerifier(provider: Provider, reading: IntrospectionReading, clock: () => number) {
  const introspect = provider.introspect
  if (introspect === undefined) throw new Error(`provider ${provider.name} cannot introspect tokens`)
  return async (token: string): Promise<BearerOutcome> => {
    const answer = await introspect(token)
    switch (answer.kind) {
      case 'inactive':
        return { kind: 'invalid', reason: 'the provider says the token is not active' }
      case 'unavailable':
        return { kind: 'unavailable', reason: answer.reason }
      case 'active': {
        const session = sessionFromIntrospection(token, answer.claims, reading, clock())
        return typeof session === 'string' ? { kind: 'invalid', reason: session } : { kind: 'session', session }
      }
    }
  }
}

/** The reading of `--introspect-bearer-tokens`: the client's audiences and the provider's claim names and roles. */
export function introspectionReadingFromConfig(config: BearerConfig & Pick<Config, 'clientId' | 'oidcExtraAudiences'>): IntrospectionReading {
  const reading = providerReading(config)
  return {
    audiences: [config.clientId, ...config.oidcExtraAudiences],
    claims: reading.claims,
    ...(reading.refine === undefined ? {} : { refine: reading.refine }),
  }
}
