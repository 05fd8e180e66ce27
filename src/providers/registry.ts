import { readFileSync } from 'node:fs'
import type { Config } from '../config/schema.js'
import type { Logger } from '../log/logger.js'
import { createAdfsProvider } from './adfs.js'
import { createAzureProvider } from './azure.js'
import { createCidaasProvider } from './cidaas.js'
import { createEntraIdProvider } from './entra-id.js'
import { createGitlabFromConfig } from './gitlab-config.js'
import { createGoogleFromConfig } from './google-config.js'
import { createKeycloakOidcProvider, keycloakAllowedGroups } from './keycloak-oidc.js'
import { createLoginGovProvider } from './login-gov.js'
import { MS_GRAPH_URL } from './ms-graph.js'
import { createPlainOAuth2Provider } from './oauth2-registry.js'
import { createOidcProvider, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'
import { readPublicKeyFiles } from './static-keys.js'

/**
 * Internal, for tests only: the base URL used instead of https://graph.microsoft.com by `entra-id`.
 * oauth2-proxy has no such option; it is deliberately not a flag.
 */
export const GRAPH_URL_ENV = 'GATEHOUSE_TEST_MS_GRAPH_URL'

/** Where Azure workload identity puts the federated token (set by the Azure Workload Identity webhook). */
export const FEDERATED_TOKEN_FILE_ENV = 'AZURE_FEDERATED_TOKEN_FILE'

/** oauth2-proxy's default button names per provider type. */
const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  oidc: 'OpenID Connect',
  'keycloak-oidc': 'Keycloak OIDC',
  'entra-id': 'Microsoft Entra ID',
  google: 'Google',
  gitlab: 'GitLab',
  github: 'GitHub',
  keycloak: 'Keycloak',
  bitbucket: 'Bitbucket',
  digitalocean: 'DigitalOcean',
  facebook: 'Facebook',
  linkedin: 'LinkedIn',
  nextcloud: 'Nextcloud',
  sourcehut: 'SourceHut',
  azure: 'Azure',
  adfs: 'ADFS',
  'login.gov': 'login.gov',
  cidaas: 'CIDAAS',
}

export interface ProviderDeps {
  fetch: typeof fetch
  timeoutMs: number
  log: Logger
  env: Readonly<Record<string, string | undefined>>
}

/** The provider and the group allow-list it implies (keycloak-oidc adds `--allowed-role` as `role:` groups). */
export interface BuiltProvider {
  provider: Provider
  allowedGroups: readonly string[]
}

/** Provider fields only the structured form (`providers[]` of an alpha file) has: they stand for no legacy option. */
export interface StructuredProviderFields {
  /** `additionalClaims`: claims the OpenID Connect providers keep in the session. */
  readonly additionalClaims: readonly string[]
  /** `ADFSConfig.skipScope`: the adfs login URL carries no `scope`. */
  readonly adfsSkipScope: boolean
}

const NO_STRUCTURED_FIELDS: StructuredProviderFields = { additionalClaims: [], adfsSkipScope: false }

/** Builds the provider `config.provider` names; unknown names were refused when the config was checked. */
export function createProviderFromConfig(config: Config, deps: ProviderDeps, fields: StructuredProviderFields = NO_STRUCTURED_FIELDS): BuiltProvider {
  const displayName = config.providerDisplayName !== '' ? config.providerDisplayName : (DISPLAY_NAMES[config.provider] ?? 'OpenID Connect')
  const options = { ...oidcOptions(config, displayName, deps), ...(fields.additionalClaims.length > 0 ? { additionalClaims: fields.additionalClaims } : {}) }
  switch (config.provider) {
    case 'keycloak-oidc':
      return { provider: createKeycloakOidcProvider(options), allowedGroups: keycloakAllowedGroups(config.allowedGroups, config.allowedRoles) }
    case 'entra-id':
      return {
        provider: createEntraIdProvider(config.entraIdFederatedTokenAuth ? { ...options, clientSecret: undefined, clientAssertion: federatedToken(deps.env) } : options, {
          allowedTenants: config.entraIdAllowedTenants,
          graphUrl: deps.env[GRAPH_URL_ENV] ?? MS_GRAPH_URL,
          log: deps.log,
        }),
        allowedGroups: config.allowedGroups,
      }
    case 'google':
      return createGoogleFromConfig(config, displayName, deps)
    case 'gitlab':
      return createGitlabFromConfig(config, options, deps)
    case 'github':
    case 'keycloak':
    case 'bitbucket':
    case 'digitalocean':
    case 'facebook':
    case 'linkedin':
    case 'nextcloud':
    case 'sourcehut':
      return createPlainOAuth2Provider(config, displayName, deps)
    case 'azure':
      return {
        provider: createAzureProvider(options, {
          tenant: config.azureTenant,
          graphGroupField: config.azureGraphGroupField,
          resource: config.resource,
          scope: config.scope,
          validateUrl: config.validateUrl,
          graphUrl: deps.env[GRAPH_URL_ENV] ?? MS_GRAPH_URL,
        }),
        allowedGroups: config.allowedGroups,
      }
    case 'adfs':
      return { provider: createAdfsProvider(options, { resource: config.resource, scope: config.scope, skipScope: fields.adfsSkipScope }), allowedGroups: config.allowedGroups }
    case 'login.gov': {
      // The key was read and checked with the configuration (config/login-gov-checks.ts).
      const jwtKeyPem = config.jwtKey !== '' ? config.jwtKey : readFileSync(config.jwtKeyFile, 'utf8')
      const loginGov = { jwtKeyPem, pubjwkUrl: config.pubjwkUrl, scope: config.scope, validateUrl: config.validateUrl }
      return { provider: createLoginGovProvider(options, loginGov), allowedGroups: config.allowedGroups }
    }
    case 'cidaas':
      return { provider: createCidaasProvider(options, { scope: config.scope }), allowedGroups: config.allowedGroups }
    default:
      return { provider: createOidcProvider(options), allowedGroups: config.allowedGroups }
  }
}

/**
 * `--entra-id-federated-token-auth`: the workload identity token Kubernetes projects into AZURE_FEDERATED_TOKEN_FILE,
 * read again at every token request (it is rotated on disk), as oauth2-proxy does. The variable was checked at start.
 */
function federatedToken(env: ProviderDeps['env']): () => string {
  const path = env[FEDERATED_TOKEN_FILE_ENV] ?? ''
  return () => readFileSync(path, 'utf8').trim()
}

function oidcOptions(config: Config, displayName: string, deps: ProviderDeps): OidcProviderOptions {
  // oauth2-proxy: the deprecated --user-id-claim replaces the email claim when the email claim is left at its default.
  const emailClaim = config.oidcEmailClaim === 'email' && config.userIdClaim !== '' && config.userIdClaim !== 'email' ? config.userIdClaim : config.oidcEmailClaim
  const scope = config.scope !== '' ? config.scope : `openid email profile${config.allowedGroups.length > 0 ? ' groups' : ''}`
  return {
    displayName,
    issuerUrl: config.oidcIssuerUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret === '' ? undefined : config.clientSecret,
    skipDiscovery: config.skipOidcDiscovery,
    loginUrl: config.loginUrl,
    redeemUrl: config.redeemUrl,
    profileUrl: config.profileUrl,
    jwksUrl: config.oidcJwksUrl,
    ...(config.skipOidcDiscovery && config.oidcPublicKeyFiles.length > 0 ? { publicKeys: readPublicKeyFiles(config.oidcPublicKeyFiles) } : {}),
    scope,
    responseMode: config.authRequestResponseMode,
    emailClaim,
    groupsClaim: config.oidcGroupsClaim,
    audienceClaims: config.oidcAudienceClaims,
    extraAudiences: config.oidcExtraAudiences,
    enabledSigningAlgs: config.oidcEnabledSigningAlgs,
    allowUnverifiedEmail: config.insecureOidcAllowUnverifiedEmail,
    skipClaimsFromProfileUrl: config.skipClaimsFromProfileUrl,
    introspectionUrl: config.introspectionUrl,
    fetch: deps.fetch,
    timeoutMs: deps.timeoutMs,
  }
}
