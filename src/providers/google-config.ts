import { readFileSync } from 'node:fs'
import type { Config } from '../config/schema.js'
import type { Logger } from '../log/logger.js'
import { adminUserScope, createGoogleDirectory, GOOGLE_ADMIN_URL, type GoogleDirectory } from './google-admin.js'
import { GOOGLE_LOGIN_URL, GOOGLE_REDEEM_URL, GOOGLE_SCOPE, GOOGLE_VALIDATE_URL } from './google-oauth.js'
import { createAdcTokenSource } from './google-adc.js'
import { fetchServiceAccountToken, parseServiceAccountKey, type GoogleTokenSource } from './google-service-account.js'
import { createGoogleProvider } from './google.js'
import type { Provider } from './provider.js'

/**
 * Internal, for tests only: the base URL used instead of https://admin.googleapis.com for the Admin SDK.
 * oauth2-proxy has no such option; it is deliberately not a flag.
 */
export const GOOGLE_ADMIN_URL_ENV = 'GATEHOUSE_TEST_GOOGLE_ADMIN_URL'

/** What building the google provider needs from the registry's dependencies. */
export interface GoogleDeps {
  fetch: typeof fetch
  log: Logger
  env: Readonly<Record<string, string | undefined>>
  timeoutMs: number
}

/**
 * `--provider=google` from the config: Google's endpoints unless overridden, and the Admin SDK directory when a
 * service-account key or Application Default Credentials are configured. `--google-group` replaces `--allowed-group` (oauth2-proxy's setAllowedGroups).
 * The key file was checked when the config was loaded (src/config/google-gitlab-checks.ts).
 */
export function createGoogleFromConfig(config: Config, displayName: string, deps: GoogleDeps): { provider: Provider; allowedGroups: readonly string[] } {
  let directory: GoogleDirectory | undefined
  let tokenSource: GoogleTokenSource | undefined
  if (config.googleUseApplicationDefaultCredentials) {
    tokenSource = createAdcTokenSource({ fetch: deps.fetch, env: deps.env, targetPrincipal: config.googleTargetPrincipal, clock: Date.now, timeoutMs: deps.timeoutMs })
  } else if (config.googleServiceAccountJson !== '') {
    const key = parseServiceAccountKey(readFileSync(config.googleServiceAccountJson, 'utf8'))
    if (typeof key === 'string') throw new Error(`--google-service-account-json ${key}`)
    tokenSource = (scope, subject, nowMs) => fetchServiceAccountToken({ fetch: deps.fetch, key, scope, subject, nowMs })
  }
  if (tokenSource !== undefined) {
    directory = createGoogleDirectory({
      fetch: deps.fetch,
      tokenSource,
      adminEmail: config.googleAdminEmail,
      userScope: config.googleUseOrganizationId ? adminUserScope(config.googleAdminApiUserScope) : undefined,
      baseUrl: deps.env[GOOGLE_ADMIN_URL_ENV] ?? GOOGLE_ADMIN_URL,
      log: deps.log,
      clock: Date.now,
    })
  }
  const provider = createGoogleProvider({
    displayName,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    loginUrl: config.loginUrl !== '' ? config.loginUrl : GOOGLE_LOGIN_URL,
    redeemUrl: config.redeemUrl !== '' ? config.redeemUrl : GOOGLE_REDEEM_URL,
    validateUrl: config.validateUrl !== '' ? config.validateUrl : GOOGLE_VALIDATE_URL,
    scope: config.scope !== '' ? config.scope : GOOGLE_SCOPE,
    responseMode: config.authRequestResponseMode,
    directory,
    groups: directory === undefined ? [] : config.googleGroups,
    useOrganizationId: config.googleUseOrganizationId,
    fetch: deps.fetch,
    log: deps.log,
  })
  return { provider, allowedGroups: config.googleGroups.length > 0 ? config.googleGroups : config.allowedGroups }
}
