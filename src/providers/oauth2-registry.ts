import type { Config } from '../config/schema.js'
import type { Logger } from '../log/logger.js'
import { BITBUCKET_DEFAULT_VALIDATE_URL, bitbucketScope, createBitbucketIdentify } from './bitbucket.js'
import { createGitHubIdentify, githubHeaders } from './github.js'
import { GITHUB_DEFAULT_VALIDATE_URL, splitTeams } from './github-rules.js'
import { bearerHeaders, createKeycloakIdentify } from './keycloak-legacy.js'
import { bearerJson, createRestIdentify, DIGITALOCEAN, FACEBOOK, LINKEDIN, NEXTCLOUD, SOURCEHUT, type RestIdentitySpec } from './rest-identities.js'
import { createOAuth2Provider, type OAuth2Identity, type OAuth2ProviderOptions, type ValidateHeaders } from './oauth2-base.js'
import type { Provider } from './provider.js'

/** oauth2-proxy's defaults per plain OAuth2 provider type (reference §6.1); `--login-url` etc. override each. */
interface Defaults {
  loginUrl: string
  redeemUrl: string
  profileUrl: string
  validateUrl: string
  scope: string
}

const DEFAULTS: Readonly<Record<string, Defaults>> = {
  github: {
    loginUrl: 'https://github.com/login/oauth/authorize',
    redeemUrl: 'https://github.com/login/oauth/access_token',
    profileUrl: '',
    validateUrl: GITHUB_DEFAULT_VALIDATE_URL,
    scope: 'user:email read:org',
  },
  // oauth2-proxy's placeholders: a real Keycloak needs its realm's URLs (refused at start otherwise).
  keycloak: {
    loginUrl: 'https://keycloak.org/oauth/authorize',
    redeemUrl: 'https://keycloak.org/oauth/token',
    profileUrl: '',
    validateUrl: 'https://keycloak.org/api/v3/user',
    scope: 'api',
  },
  bitbucket: {
    loginUrl: 'https://bitbucket.org/site/oauth2/authorize',
    redeemUrl: 'https://bitbucket.org/site/oauth2/access_token',
    profileUrl: '',
    validateUrl: BITBUCKET_DEFAULT_VALIDATE_URL,
    scope: 'email',
  },
  digitalocean: {
    loginUrl: 'https://cloud.digitalocean.com/v1/oauth/authorize',
    redeemUrl: 'https://cloud.digitalocean.com/v1/oauth/token',
    profileUrl: 'https://api.digitalocean.com/v2/account',
    validateUrl: 'https://api.digitalocean.com/v2/account',
    scope: 'read',
  },
  facebook: {
    loginUrl: 'https://www.facebook.com/v2.5/dialog/oauth',
    redeemUrl: 'https://graph.facebook.com/v2.5/oauth/access_token',
    profileUrl: 'https://graph.facebook.com/v2.5/me',
    validateUrl: 'https://graph.facebook.com/v2.5/me',
    scope: 'public_profile email',
  },
  linkedin: {
    loginUrl: 'https://www.linkedin.com/oauth/v2/authorization',
    redeemUrl: 'https://www.linkedin.com/uas/oauth2/accessToken',
    profileUrl: 'https://api.linkedin.com/v2/emailAddress',
    validateUrl: 'https://api.linkedin.com/v2/me',
    scope: 'r_emailaddress r_liteprofile',
  },
  // No defaults: every Nextcloud is self-hosted (refused at start without its URLs).
  nextcloud: { loginUrl: '', redeemUrl: '', profileUrl: '', validateUrl: '', scope: '' },
  sourcehut: {
    loginUrl: 'https://meta.sr.ht/oauth2/authorize',
    redeemUrl: 'https://meta.sr.ht/oauth2/access-token',
    profileUrl: 'https://meta.sr.ht/query',
    validateUrl: 'https://meta.sr.ht/profile',
    scope: 'meta.sr.ht/PROFILE:RO',
  },
}

/** The providers whose identity is one REST call (src/providers/rest-identities.ts). */
const REST_SPECS: Readonly<Record<string, RestIdentitySpec>> = { digitalocean: DIGITALOCEAN, facebook: FACEBOOK, linkedin: LINKEDIN, nextcloud: NEXTCLOUD, sourcehut: SOURCEHUT }

/** The `--provider` types built here: plain OAuth2, identity from the provider's REST API. */
export const PLAIN_OAUTH2_PROVIDERS: readonly string[] = Object.keys(DEFAULTS)

export interface PlainDeps {
  fetch: typeof fetch
  log: Logger
}

interface Endpoints {
  loginUrl: string
  redeemUrl: string
  profileUrl: string
  validateUrl: string
  scope: string
}

/** The configured endpoints and scope, each falling back to the provider's default. */
export function plainEndpoints(config: Config): Endpoints {
  const d = DEFAULTS[config.provider]
  const pick = (configured: string, fallback: string | undefined): string => (configured !== '' ? configured : (fallback ?? ''))
  return {
    loginUrl: pick(config.loginUrl, d?.loginUrl),
    redeemUrl: pick(config.redeemUrl, d?.redeemUrl),
    profileUrl: pick(config.profileUrl, d?.profileUrl),
    validateUrl: pick(config.validateUrl, d?.validateUrl),
    scope: pick(config.scope, d?.scope),
  }
}

/** Builds a plain OAuth2 provider and the group allow-list it implies (`--keycloak-group` replaces `--allowed-group`). */
export function createPlainOAuth2Provider(config: Config, displayName: string, deps: PlainDeps): { provider: Provider; allowedGroups: readonly string[] } {
  const endpoints = plainEndpoints(config)
  const build = (identify: (token: string) => Promise<OAuth2Identity>, validateHeaders: ValidateHeaders): Provider =>
    createOAuth2Provider({ ...baseOptions(config, displayName, endpoints, deps), identify, validateHeaders })
  switch (config.provider) {
    case 'github':
      return {
        provider: build(
          createGitHubIdentify({
            fetch: deps.fetch,
            validateUrl: endpoints.validateUrl,
            token: config.githubToken,
            log: deps.log,
            rules: { org: config.githubOrg, teams: splitTeams(config.githubTeam), repo: config.githubRepo, hasToken: config.githubToken !== '', users: config.githubUsers },
          }),
          githubHeaders,
        ),
        allowedGroups: config.allowedGroups,
      }
    case 'keycloak':
      return {
        provider: build(createKeycloakIdentify({ fetch: deps.fetch, userinfoUrl: endpoints.profileUrl !== '' ? endpoints.profileUrl : endpoints.validateUrl }), bearerHeaders),
        // oauth2-proxy replaces --allowed-group with --keycloak-group; gatehouse keeps --allowed-group when no --keycloak-group is set.
        allowedGroups: config.keycloakGroups.length > 0 ? config.keycloakGroups : config.allowedGroups,
      }
    case 'bitbucket':
      return {
        provider: createOAuth2Provider({
          ...baseOptions(config, displayName, { ...endpoints, scope: bitbucketScope(endpoints.scope, config.bitbucketTeam, config.bitbucketRepository) }, deps),
          identify: createBitbucketIdentify({ fetch: deps.fetch, validateUrl: endpoints.validateUrl, team: config.bitbucketTeam, repository: config.bitbucketRepository }),
          // oauth2-proxy validates Bitbucket tokens with ?access_token= (no header).
          validateHeaders: () => undefined,
        }),
        allowedGroups: config.allowedGroups,
      }
    default: {
      const spec = REST_SPECS[config.provider]
      if (spec === undefined) throw new Error(`not a plain OAuth2 provider: ${config.provider}`)
      // oauth2-proxy's nextcloud reads the profile URL, else the validate URL.
      const profileUrl = endpoints.profileUrl !== '' ? endpoints.profileUrl : endpoints.validateUrl
      // The validate URL gets the same headers as the identity call (LinkedIn's x-li-format, …).
      const validateHeaders = config.provider === 'sourcehut' ? bearerJson : (token: string) => spec.headers(token)
      return { provider: build(createRestIdentify(spec, { fetch: deps.fetch, profileUrl }), validateHeaders), allowedGroups: config.allowedGroups }
    }
  }
}

function baseOptions(config: Config, displayName: string, endpoints: Endpoints, deps: PlainDeps): Omit<OAuth2ProviderOptions, 'identify' | 'validateHeaders'> {
  return {
    name: config.provider,
    displayName,
    clientId: config.clientId,
    clientSecret: config.clientSecret === '' ? undefined : config.clientSecret,
    loginUrl: endpoints.loginUrl,
    redeemUrl: endpoints.redeemUrl,
    validateUrl: endpoints.validateUrl,
    scope: endpoints.scope,
    responseMode: config.authRequestResponseMode,
    sessionLifetimeMs: config.cookieExpire,
    fetch: deps.fetch,
  }
}
