import { readFileSync } from 'node:fs'
import { createAuthenticator } from '../auth/authenticate.js'
import { createAuthorizer } from '../auth/authorize.js'
import { createBasicSessionLoader } from '../auth/basic-auth.js'
import { createBearerSessionLoader } from '../auth/bearer-jwt.js'
import { createEmailRules, parseAuthenticatedEmailsFile } from '../auth/email-rules.js'
import { chainHeaderSessions } from '../auth/header-sessions.js'
import { loadHtpasswdFile } from '../auth/htpasswd-file.js'
import type { HtpasswdValidator } from '../auth/htpasswd.js'
import { createRedirectValidator } from '../auth/redirect.js'
import { createApiRouteMatcher, createRouteMatcher } from '../auth/routes.js'
import type { Config } from '../config/schema.js'
import { createCsrfCookies } from '../cookies/csrf.js'
import { createCookieJar } from '../cookies/jar.js'
import type { Services } from '../handlers/services.js'
import { createHeaderInjector } from '../headers/inject.js'
import { createPages } from '../http/pages.js'
import { createIpSet } from '../lib/cidr.js'
import { instrumentStore } from '../metrics/instrument.js'
import { readPageTemplates } from '../pages/custom-templates.js'
import type { PageTemplates } from '../pages/data.js'
import { readLogo } from '../pages/logo.js'
import { createBearerVerifierFromConfig } from '../providers/bearer-from-config.js'
import { createProviderFromConfig } from '../providers/registry.js'
import { createCookieStore } from '../session/cookie-store.js'
import { createForwarder } from '../upstream/forward.js'
import { createUpstreamTable } from '../upstream/table.js'
import { VERSION } from '../version.js'
import { PROVIDER_TIMEOUT_MS, type Resources } from './resources.js'

/** The services of one runtime, and what the route table and the runtime's lifecycle need beside them. */
export interface CompiledServices {
  services: Services
  templates: PageTemplates | undefined
  htpasswd: { validator: HtpasswdValidator; close(): void } | undefined
  warmUp: () => Promise<void>
}

/**
 * Builds every config-derived service over the long-lived resources: cookies, the session store over the shared
 * keys (and Redis connection), the provider, the rules, pages and templates, headers, the upstream table and its
 * forwarder over the shared pools. Reads the files the config names; throws ConfigError for a bad one.
 */
export function compileServices(config: Config, resources: Resources): CompiledServices {
  const { log, clock, metrics, keys, providerFetch } = resources
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
  })
  const csrf = createCsrfCookies({ jar, ...keys, perRequest: config.cookieCsrfPerRequest, perRequestLimit: config.cookieCsrfPerRequestLimit })
  const rawStore = resources.redis === undefined ? createCookieStore({ jar, ...keys, minimal: config.sessionCookieMinimal }) : resources.redis.store(jar, keys.hmacKey)
  const store = instrumentStore(rawStore, metrics)
  const upstreams = createUpstreamTable(config.upstreams)
  const { provider, allowedGroups } = createProviderFromConfig(config, { fetch: providerFetch, timeoutMs: PROVIDER_TIMEOUT_MS, log, env: process.env })
  const emails = config.authenticatedEmailsFile === '' ? [] : parseAuthenticatedEmailsFile(readFileSync(config.authenticatedEmailsFile, 'utf8'))
  const authorizer = createAuthorizer({
    emailRules: createEmailRules({ domains: config.emailDomains, emails }),
    allowedGroups,
    skipAuthPreflight: config.skipAuthPreflight,
    isSkipAuthRoute: createRouteMatcher(config.skipAuthRoutes),
    trustedIps: config.trustedIps.length > 0 ? createIpSet(config.trustedIps) : undefined,
  })
  const templates = config.customTemplatesDir === '' ? undefined : readPageTemplates(config.customTemplatesDir)
  const htpasswd = config.htpasswdFile === '' ? undefined : loadHtpasswdFile(config.htpasswdFile, log)
  try {
    const bearer = config.skipJwtBearerTokens ? createBearerVerifierFromConfig(config, { fetch: providerFetch, timeoutMs: PROVIDER_TIMEOUT_MS, clock }) : undefined
    const headerSessions = chainHeaderSessions([
      bearer && createBearerSessionLoader({ verify: (token) => bearer.verify(token), loginFallback: config.bearerTokenLoginFallback, clock }),
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
        backendLogoutUrl: config.backendLogoutUrl,
        pingPath: config.pingPath,
        pingUserAgent: config.pingUserAgent,
        readyPath: config.readyPath,
        gcpHealthChecks: config.gcpHealthchecks,
      },
      log,
      pages: createPages({
        proxyPrefix: config.proxyPrefix,
        providerName: provider.displayName,
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
      store,
      provider,
      authenticator: createAuthenticator({ store, provider, refreshAfterMs: config.cookieRefresh, clock, log, lockTtlMs: PROVIDER_TIMEOUT_MS + 5_000, onRefresh: metrics.refresh, ...(headerSessions === undefined ? {} : { headerSessions }) }),
      authorizer,
      headers: createHeaderInjector({
        passUserHeaders: config.passUserHeaders,
        passBasicAuth: config.passBasicAuth,
        basicAuthPassword: config.basicAuthPassword,
        passAccessToken: config.passAccessToken,
        passAuthorizationHeader: config.passAuthorizationHeader,
        setXAuthRequest: config.setXauthrequest,
        setBasicAuth: config.setBasicAuth,
        setAuthorizationHeader: config.setAuthorizationHeader,
        preferEmailToUser: config.preferEmailToUser,
        stripHeaders: config.skipAuthStripHeaders,
      }),
      isValidRedirect: createRedirectValidator(config.whitelistDomains),
      isApiRoute: createApiRouteMatcher(config.apiRoutes),
      upstreams,
      forwarder: createForwarder({
        passHostHeader: config.passHostHeader,
        insecureSkipVerify: config.sslUpstreamInsecureSkipVerify,
        timeoutMs: config.upstreamTimeout,
        flushIntervalMs: config.flushInterval,
        keepAlive: !config.disableKeepAlives,
        proxyWebSockets: config.proxyWebsockets,
        onUpstreamResponse: metrics.upstreamResponse,
      }, resources.pools),
      metrics,
      providerFetch,
      clock,
    }
    const warmUp = async (): Promise<void> => {
      void bearer?.warmUp()
      await provider.warmUp()
    }
    return { services, templates, htpasswd, warmUp }
  } catch (err) {
    // A compile that fails leaves no file watcher behind.
    htpasswd?.close()
    throw err
  }
}
