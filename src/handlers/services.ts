import type { Authenticator } from '../auth/authenticate.js'
import type { Authorizer } from '../auth/authorize.js'
import type { IdentityProviders } from '../auth/identity-providers.js'
import type { CsrfCookies } from '../cookies/csrf.js'
import type { FormTokens } from '../cookies/form-token.js'
import type { CookieJar } from '../cookies/jar.js'
import type { HeaderInjector } from '../headers/inject.js'
import type { Pages } from '../http/pages.js'
import type { SiteTable } from '../http/site-table.js'
import type { IdentityAssertion } from './identity-assertion.js'
import type { Logger } from '../log/logger.js'
import type { Metrics } from '../metrics/registry.js'
import type { Provider } from '../providers/provider.js'
import type { Revocations } from '../session/revocation.js'
import type { SessionStore } from '../session/store.js'
import type { Tracing } from '../tracing/tracing.js'
import type { Forwarder } from '../upstream/forward.js'
import type { UpstreamTable } from '../upstream/table.js'
import type { RoutesRuntime } from './routed.js'

/** The options the handlers read, a plain subset of Config so handlers stay testable. */
export interface HandlerSettings {
  proxyPrefix: string
  redirectUrl: string
  relativeRedirectUrl: boolean
  cookieSecure: boolean
  codeChallengeMethod: string
  encodeState: boolean
  /** False means nonces are sent and checked (`--insecure-oidc-skip-nonce=false`). */
  skipNonce: boolean
  skipProviderButton: boolean
  forceJsonErrors: boolean
  /** `--oidc-rp-initiated-logout`: sign-out also ends the IdP session through its end_session_endpoint. */
  oidcRpInitiatedLogout: boolean
  pingPath: string
  pingUserAgent: string
  readyPath: string
  gcpHealthChecks: boolean
}

/** Everything the handlers use, compiled from one configuration (runtime/compile-services.ts); a reload builds new ones. */
export interface Services {
  settings: HandlerSettings
  log: Logger
  pages: Pages
  jar: CookieJar
  csrf: CsrfCookies
  /** The htpasswd sign-in form's CSRF tokens; undefined without `--htpasswd-file`. */
  formTokens: FormTokens | undefined
  store: SessionStore
  /** Ends sessions from outside their browser: back-channel logout, sign-out everywhere, the admin API. */
  revocations: Revocations
  /** The first provider (`idps.first.provider`): the one of every legacy configuration. */
  provider: Provider
  /** Every configured provider by id, with its own rules; sessions and logins name theirs when there are several. */
  idps: IdentityProviders
  authenticator: Authenticator
  authorizer: Authorizer
  headers: HeaderInjector
  isValidRedirect: (redirect: string) => boolean
  isApiRoute: (requestUri: string) => boolean
  upstreams: UpstreamTable
  /** The `--alpha-config` sites (cookie domain, redirect URL and providers per host); undefined without `sites:`. */
  sites: SiteTable | undefined
  /** The `--alpha-config` routes and policies; undefined without routes (the legacy gate, at no extra cost). */
  routes: RoutesRuntime | undefined
  forwarder: Forwarder
  /** The Prometheus registry: handlers record auth decisions in it. */
  metrics: Metrics
  /** A fetch for calls to the IdP (backend logout); bounded in time. */
  providerFetch: typeof fetch
  clock: () => number
  /** OpenTelemetry tracing, or the shared no-op when off: handlers open the auth-decision and upstream spans. */
  tracing: Tracing
  /** `--set-identity-assertion`: the signed JWT of the user for upstreams and /oauth2/auth answers. */
  identityAssertion?: IdentityAssertion
}
