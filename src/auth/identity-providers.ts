import type { Provider } from '../providers/provider.js'
import type { Session } from '../session/session.js'
import type { Authorizer, SessionDecision } from './authorize.js'
import type { LoginParameters } from './login-parameters.js'

/** One configured identity provider as the handlers use it: its id, button label, client and its own rules. */
export interface IdentityProvider {
  /** `providers[].id`, or oauth2-proxy's id of the legacy options. */
  readonly id: string
  /** The sign-in button's label: `providers[].name`, else the provider type's name. */
  readonly displayName: string
  readonly provider: Provider
  /** The global rules with this provider's `allowedGroups` (email domains and the emails file are shared). */
  readonly authorizer: Authorizer
  /** This provider's `backendLogoutURL` (`--backend-logout-url`); empty: none. */
  readonly backendLogoutUrl: string
  /** This provider's `loginURLParameters` (for legacy options: `--prompt`, `--approval-prompt`, `--acr-values`). */
  readonly loginParameters: LoginParameters
}

/** Every configured provider, in file order, with the lookups the handlers need. */
export interface IdentityProviders {
  readonly list: readonly IdentityProvider[]
  /** The first provider: the default, and the owner of every session that names none. */
  readonly first: IdentityProvider
  /** True with more than one provider: only then do sessions and CSRF cookies name theirs. */
  readonly several: boolean
  get(id: string): IdentityProvider | undefined
  /** The provider of a session; undefined when it names one this configuration no longer has. */
  of(session: Session): IdentityProvider | undefined
  /** The provider id a session counts as (its own, else the first's). */
  idOf(session: Session): string
  /** Decides a session with its own provider's rules; a session of an unknown provider is refused. */
  authorizeSession(session: Session): SessionDecision
}

/** Builds the lookups over the providers in configuration order (at least one). */
export function createIdentityProviders(list: readonly IdentityProvider[]): IdentityProviders {
  const first = list[0]
  if (first === undefined) throw new Error('at least one identity provider is required')
  const byId = new Map(list.map((p) => [p.id, p]))
  const of = (session: Session): IdentityProvider | undefined => (session.providerId === undefined ? first : byId.get(session.providerId))
  return Object.freeze({
    list: Object.freeze([...list]),
    first,
    several: list.length > 1,
    get: (id: string) => byId.get(id),
    of,
    idOf: (session: Session) => session.providerId ?? first.id,
    authorizeSession(session: Session) {
      const idp = of(session)
      return idp === undefined ? { ok: false as const, rule: 'unknown_provider' as const } : idp.authorizer.authorizeSession(session)
    },
  })
}
