import { readFileSync } from 'node:fs'
import { createAuthenticator } from '../auth/authenticate.js'
import { createAuthorizer, type Authorizer } from '../auth/authorize.js'
import { createIdentityProviders } from '../auth/identity-providers.js'
import { createBasicSessionLoader } from '../auth/basic-auth.js'
import { createBearerSessionLoader } from '../auth/bearer-jwt.js'
import { createIntrospectionSessionLoader } from '../auth/bearer-introspection.js'
import { createEmailRules, parseAuthenticatedEmailsFile } from '../auth/email-rules.js'
import { chainHeaderSessions } from '../auth/header-sessions.js'
import { loadHtpasswdFile } from '../auth/htpasswd-file.js'
import { compileLoginParameters } from '../auth/login-parameters.js'
import type { HtpasswdValidator } from '../auth/htpasswd.js'
import { createRedirectValidator } from '../auth/redirect.js'
import { createApiRouteMatcher, createRouteMatcher } from '../auth/routes.js'
import { providerEntries, structuredOf } from '../config/provider-entries.js'
import { routesOf } from '../config/routes.js'
import { assertionReloadProblems } from '../assertion/from-config.js'
import { ConfigError } from '../errors.js'
import { sitesOf } from '../config/sites.js'
import { createSiteTable } from '../http/site-table.js'
import type { Config } from '../config/schema.js'
import type { Session } from '../session/session.js'
import { createCsrfCookies } from '../cookies/csrf.js'
import { createFormTokens, type FormTokens } from '../cookies/form-token.js'
import { createCookieJar } from '../cookies/jar.js'
import type { Services } from '../handlers/services.js'
import { createHeaderInjector, injectorPlanOf } from '../headers/inject.js'
import { createPages } from '../http/pages.js'
import { createIpSet } from '../lib/cidr.js'
import { instrumentStore } from '../metrics/instrument.js'
import { readPageTemplates } from '../pages/custom-templates.js'
import type { PageTemplates } from '../pages/data.js'
import { readLogo } from '../pages/logo.js'
import { createBearerVerifierFromConfig } from '../providers/bearer-from-config.js'
import { createIntrospectionVerifier, introspectionReadingFromConfig } from '../providers/introspection-session.js'
import { createProviderFromConfig } from '../providers/registry.js'
import { createCookieStore } from '../session/cookie-store.js'
import { compileRouteTable } from '../policy/route-table.js'
import { createForwarder } from '../upstream/forward.js'
import { createGapSigner } from '../upstream/gap-signature.js'
import { createRouteTargets } from '../upstream/route-targets.js'
import { createUpstreamTable } from '../upstream/table.js'
import { traceStore } from '../tracing/instrument.js'
import { VERSION } from '../version.js'
import { PROVIDER_TIMEOUT_MS, type Resources } from './resources.js'

/** The services of one runtime, and what the route table and the runtime's lifecycle need beside them. */
export interface CompiledServices {
  services: Services
  templates: PageTemplates | undefined
  htpasswd: { validator: HtpasswdValidator; close(): void } | undefined
  /** The CSRF tokens of the htpasswd sign-in form, when `--htpasswd-file` is set. */
  formTokens: FormTokens | undefined
  warmUp: () => Promise<void>
}

/**
 * Builds every config-derived service over the long-lived resources: cookies, the session store over the shared
 * keys (and Redis connection), the provider, the rules, pages and templates, headers, the upstream table and its
 * forwarder over the shared pools. Reads the files the config names; throws ConfigError for a bad one.
 */
export function compileServices(config: Config, resources: Resources): CompiledServices {
  const { log, clock, metrics, keys, providerFetch } = resources
  const siteSpecs = sitesOf(config)
  const sites = siteSpecs === undefined ? undefined : createSiteTable(siteSpecs)
  const jar = createCookieJar({
    name: config.cookieName,
    domains: config.cookieDomains,
    path: config.cookiePath,
    expireMs: config.cookieExpire,
    secure: config.cookieSecure,
    httpOnly: config.cookieHttponly,
    sameSite: config.cookieSamesite as '' | 'lax' | 'strict' | 'none',
    csrfExpireMs: config.cookieCsrfExpire,
    csrfSameSite: config.cookieCsrfSamesite as '' | 'lax' | 'strict' | 'none',
    ...(sites === undefined ? {} : { siteDomain: (host: string) => sites.find(host)?.cookieDomain }),
  })
  const csrf = createCsrfCookies({ jar, ...keys, perRequest: config.cookieCsrfPerRequest, perRequestLimit: config.cookieCsrfPerRequestLimit })
  const formTokens = config.htpasswdFile === '' ? undefined : createFormTokens({ jar, hmacKey: keys.hmacKey })
  const rawStore = resources.redis === undefined ? traceStore(createCookieStore({ jar, ...keys, minimal: config.sessionCookieMinimal }), resources.tracing) : resources.redis.store(jar, keys.hmacKey)
  const store = instrumentStore(rawStore, metrics)
  const upstreams = createUpstreamTable(structuredOf(config).upstreamConfig)
  const routes = routesOf(config)
  const routeTable = routes === undefined ? undefined : compileRouteTable(routes)
  const assertionProblems = assertionReloadProblems(routes, resources.identityAssertion !== undefined)
  if (assertionProblems.length > 0) throw new ConfigError(assertionProblems)
  const emails = config.authenticatedEmailsFile === '' ? [] : parseAuthenticatedEmailsFile(readFileSync(config.authenticatedEmailsFile, 'utf8'))
  const emailRules = createEmailRules({ domains: config.emailDomains, emails })
  const isSkipAuthRoute = createRouteMatcher(config.skipAuthRoutes)
  const trustedIps = config.trustedIps.length > 0 ? createIpSet(config.trustedIps) : undefined
  // Every configured provider, each with its own allowedGroups; the email rules and skip-auth rules are shared.
  const idps = createIdentityProviders(
    providerEntries(config).map((entry) => {
      const fields = { additionalClaims: entry.block.additionalClaims, adfsSkipScope: entry.block.ADFSConfig['skipScope'] === true }
      const { provider, allowedGroups } = createProviderFromConfig(entry.settings, { fetch: providerFetch, timeoutMs: PROVIDER_TIMEOUT_MS, log, env: process.env }, fields)
      const own = createAuthorizer({ emailRules, allowedGroups, skipAuthPreflight: config.skipAuthPreflight, isSkipAuthRoute, trustedIps })
      return { id: entry.id, displayName: entry.name !== '' ? entry.name : provider.displayName, provider, authorizer: own, backendLogoutUrl: entry.settings.backendLogoutUrl, loginParameters: compileLoginParameters(entry.block.loginURLParameters) }
    }),
  )
  const provider = idps.first.provider
  // Sessions are decided by the rules of the provider that signed them in (the first's without several providers).
  const authorizer: Authorizer = idps.several ? { ...idps.first.authorizer, authorizeSession: idps.authorizeSession } : idps.first.authorizer
  const templates = config.customTemplatesDir === '' ? undefined : readPageTemplates(config.customTemplatesDir)
  const htpasswd = config.htpasswdFile === '' ? undefined : loadHtpasswdFile(config.htpasswdFile, log)
  try {
    const bearer = config.skipJwtBearerTokens ? createBearerVerifierFromConfig(config, { fetch: providerFetch, timeoutMs: PROVIDER_TIMEOUT_MS, clock, additionalClaims: providerEntries(config)[0]?.block.additionalClaims ?? [] }) : undefined
    const introspect = config.introspectBearerTokens ? createIntrospectionVerifier(provider, introspectionReadingFromConfig(providerEntries(config)[0]?.settings ?? config), clock) : undefined
    const headerSessions = chainHeaderSessions([
      bearer && createBearerSessionLoader({ verify: (token) => bearer.verify(token), loginFallback: config.bearerTokenLoginFallback, clock }),
      introspect && createIntrospectionSessionLoader({ verify: introspect, cacheTtlMs: config.introspectionCacheTtl, leaveJwts: config.skipJwtBearerTokens, clock }),
      htpasswd && createBasicSessionLoader({ validator: htpasswd.validator, groups: config.htpasswdUserGroups, preferEmailToUser: config.preferEmailToUser }),
    ])
    const services: Services = {
      settings: {
        proxyPrefix: config.proxyPrefix,
        redirectUrl: config.redirectUrl,
        relativeRedirectUrl: config.relativeRedirectUrl,
        cookieSecure: config.cookieSecure,
        codeChallengeMethod: config.codeChallengeMethod,
        encodeState: config.encodeState,
        skipNonce: config.insecureOidcSkipNonce,
        skipProviderButton: config.skipProviderButton,
        forceJsonErrors: config.forceJsonErrors,
        pingPath: config.pingPath,
        pingUserAgent: config.pingUserAgent,
        readyPath: config.readyPath,
        gcpHealthChecks: config.gcpHealthchecks,
        oidcRpInitiatedLogout: config.oidcRpInitiatedLogout,
      },
      log,
      pages: createPages({
        proxyPrefix: config.proxyPrefix,
        providerName: idps.first.displayName,
        banner: config.banner,
        footer: config.footer,
        emailDomains: config.emailDomains,
        version: VERSION,
        showDebugOnError: config.showDebugOnError,
        customLogin: htpasswd !== undefined && config.displayHtpasswdForm,
        logoHtml: readLogo(config.customSignInLogo),
        ...(templates === undefined ? {} : { templates }),
      }),
      jar,
      csrf,
      formTokens,
      store,
      revocations: resources.revocations,
      provider,
      idps,
      authenticator: createAuthenticator({
        store,
        provider,
        ...(idps.several ? { providerOf: (session: Session) => idps.of(session)?.provider } : {}),
        refreshAfterMs: config.cookieRefresh,
        clock,
        log,
        lockTtlMs: PROVIDER_TIMEOUT_MS + 5_000,
        onRefresh: metrics.refresh,
        tracing: resources.tracing,
        isRevoked: resources.revocations.isRevoked,
        idleTimeoutMs: config.sessionIdleTimeout,
        onIdle: (session, request) => {
          metrics.logout('idle', 'done')
          request.log.info({ event: 'session.idle_timeout', user: session.user, email: session.email, client: request.client }, 'session unused too long; ended')
        },
        ...(headerSessions === undefined ? {} : { headerSessions }),
      }),
      authorizer,
      headers: createHeaderInjector(injectorPlanOf(config)),
      isValidRedirect: createRedirectValidator(config.whitelistDomains),
      isApiRoute: createApiRouteMatcher(config.apiRoutes),
      upstreams,
      sites,
      routes: routeTable === undefined ? undefined : { table: routeTable, targets: createRouteTargets(routeTable.routes, upstreams) },
      forwarder: createForwarder({
        passHostHeader: config.passHostHeader,
        insecureSkipVerify: config.sslUpstreamInsecureSkipVerify,
        timeoutMs: config.upstreamTimeout,
        flushIntervalMs: config.flushInterval,
        keepAlive: !config.disableKeepAlives,
        proxyWebSockets: config.proxyWebsockets,
        onUpstreamResponse: metrics.upstreamResponse,
        ...(config.signatureKey === '' ? {} : { signRequest: createGapSigner(config.signatureKey) }),
      }, resources.pools),
      metrics,
      providerFetch,
      clock,
      tracing: resources.tracing,
      ...(resources.identityAssertion === undefined ? {} : { identityAssertion: resources.identityAssertion }),
    }
    const warmUp = async (): Promise<void> => {
      void bearer?.warmUp()
      await Promise.all(idps.list.map((idp) => idp.provider.warmUp()))
    }
    return { services, templates, htpasswd, formTokens, warmUp }
  } catch (err) {
    // A compile that fails leaves no file watcher behind.
    htpasswd?.close()
    throw err
  }
}
