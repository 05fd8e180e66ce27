import type { Config } from '../config/schema.js'
import { adfsBearerSession } from './adfs.js'
import { createBearerVerifier, DEFAULT_CLAIMS, type BearerRefine, type BearerVerifier, type ClaimNames } from './bearer-sessions.js'
import { cidaasBearerSession } from './cidaas.js'
import { entraBearerCheck, entraIssuerPolicy } from './entra-id.js'
import { gitlabBearerSession } from './gitlab.js'
import { createJwtIssuer, type IssuerPolicy } from './jwt-issuer.js'
import { keycloakBearerSession } from './keycloak-oidc.js'
import { readPublicKeyFiles } from './static-keys.js'

/**
 * Providers whose `--oidc-issuer-url` signs the JWTs that `--skip-jwt-bearer-tokens` accepts: the ones oauth2-proxy
 * builds an ID token verifier for (providerRequiresOIDCProviderVerifier).
 */
const MAIN_ISSUER_PROVIDERS: readonly string[] = ['oidc', 'keycloak-oidc', 'entra-id', 'adfs', 'azure', 'cidaas', 'gitlab']

export type BearerConfig = Pick<
  Config,
  | 'provider' | 'oidcIssuerUrl' | 'oidcJwksUrl' | 'skipOidcDiscovery' | 'oidcPublicKeyFiles' | 'clientId' | 'oidcExtraAudiences' | 'oidcAudienceClaims' | 'oidcEnabledSigningAlgs'
  | 'oidcEmailClaim' | 'oidcGroupsClaim' | 'userIdClaim' | 'insecureOidcAllowUnverifiedEmail' | 'extraJwtIssuers' | 'entraIdAllowedTenants'
>

/** How the main provider reads its bearer tokens: claim names, its own refinement, and which issuers it accepts. */
export interface ProviderReading {
  claims: ClaimNames
  refine?: BearerRefine
  issuerPolicy?: IssuerPolicy
}

/** oauth2-proxy's per-provider CreateSessionFromToken, plus the token-only parts of each provider's EnrichSession. */
export function providerReading(config: BearerConfig, additionalClaims: readonly string[] = []): ProviderReading {
  const claims: ClaimNames = {
    // The deprecated --user-id-claim replaces the email claim when that is left at its default (as in registry.ts).
    email: config.oidcEmailClaim === 'email' && config.userIdClaim !== '' && config.userIdClaim !== 'email' ? config.userIdClaim : config.oidcEmailClaim,
    groups: config.oidcGroupsClaim,
    allowUnverifiedEmail: config.insecureOidcAllowUnverifiedEmail,
    additional: additionalClaims,
  }
  switch (config.provider) {
    case 'keycloak-oidc':
      return { claims, refine: keycloakBearerSession }
    case 'entra-id':
      return { claims, refine: entraBearerCheck(config.oidcIssuerUrl, config.entraIdAllowedTenants), issuerPolicy: entraIssuerPolicy(config.oidcIssuerUrl) }
    case 'adfs':
      return { claims, refine: adfsBearerSession(claims.email) }
    case 'cidaas':
      return { claims, refine: cidaasBearerSession(claims.groups) }
    case 'gitlab':
      return { claims, refine: gitlabBearerSession(claims.groups) }
    case 'azure':
      // oauth2-proxy's azure has no OIDC reading of its own: the default loader's fixed claim names.
      return { claims: DEFAULT_CLAIMS }
    default:
      return { claims }
  }
}

/**
 * The bearer JWT verifier of `--skip-jwt-bearer-tokens`: the provider's issuer with its audiences (client ID and
 * `--oidc-extra-audience`) and its own reading of the claims (with the alpha file's `additionalClaims`), then every
 * `--extra-jwt-issuers` `issuer=audience` pair (fixed claim names, as oauth2-proxy's token-to-session function).
 */
export function createBearerVerifierFromConfig(config: BearerConfig, deps: { fetch: typeof fetch; timeoutMs: number; clock: () => number; additionalClaims?: readonly string[] }): BearerVerifier {
  const common = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, clock: deps.clock }
  const reading = MAIN_ISSUER_PROVIDERS.includes(config.provider) && config.oidcIssuerUrl !== '' ? providerReading(config, deps.additionalClaims) : undefined
  const main = reading === undefined
    ? undefined
    : {
        issuer: createJwtIssuer({
          ...common,
          issuer: config.oidcIssuerUrl,
          ...(reading.issuerPolicy === undefined ? {} : { issuerPolicy: reading.issuerPolicy }),
          jwksUrl: config.oidcJwksUrl,
          // oauth2-proxy's bearer verifier is the provider's: fixed keys only without discovery.
          ...(config.skipOidcDiscovery && config.oidcPublicKeyFiles.length > 0 ? { publicKeys: readPublicKeyFiles(config.oidcPublicKeyFiles) } : {}),
          audiences: [config.clientId, ...config.oidcExtraAudiences],
          audienceClaims: config.oidcAudienceClaims,
          algorithms: config.oidcEnabledSigningAlgs,
          jwksJsonFallback: false,
        }),
        claims: reading.claims,
        ...(reading.refine === undefined ? {} : { refine: reading.refine }),
      }
  const extras = config.extraJwtIssuers.map((pair) => {
    const at = pair.indexOf('=')
    return createJwtIssuer({
      ...common,
      issuer: pair.slice(0, at),
      audiences: [pair.slice(at + 1)],
      audienceClaims: ['aud'],
      algorithms: [],
      jwksJsonFallback: true,
    })
  })
  return createBearerVerifier(main, extras)
}
