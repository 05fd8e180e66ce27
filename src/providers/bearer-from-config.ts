import type { Config } from '../config/schema.js'
import { createBearerVerifier, type BearerVerifier } from './bearer-sessions.js'
import { createJwtIssuer } from './jwt-issuer.js'
import { readPublicKeyFiles } from './static-keys.js'

/** Providers whose `--oidc-issuer-url` signs the JWTs that `--skip-jwt-bearer-tokens` accepts. */
const OIDC_FAMILY: readonly string[] = ['oidc', 'keycloak-oidc', 'entra-id']

type BearerConfig = Pick<
  Config,
  | 'provider' | 'oidcIssuerUrl' | 'oidcJwksUrl' | 'skipOidcDiscovery' | 'oidcPublicKeyFiles' | 'clientId' | 'oidcExtraAudiences' | 'oidcAudienceClaims' | 'oidcEnabledSigningAlgs'
  | 'oidcEmailClaim' | 'oidcGroupsClaim' | 'userIdClaim' | 'insecureOidcAllowUnverifiedEmail' | 'extraJwtIssuers'
>

/**
 * The bearer JWT verifier of `--skip-jwt-bearer-tokens`: the provider's issuer with its audiences (client ID and
 * `--oidc-extra-audience`) and claim options, then every `--extra-jwt-issuers` `issuer=audience` pair.
 */
export function createBearerVerifierFromConfig(config: BearerConfig, deps: { fetch: typeof fetch; timeoutMs: number; clock: () => number }): BearerVerifier {
  const common = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, clock: deps.clock }
  const main = OIDC_FAMILY.includes(config.provider) && config.oidcIssuerUrl !== ''
    ? {
        issuer: createJwtIssuer({
          ...common,
          issuer: config.oidcIssuerUrl,
          jwksUrl: config.oidcJwksUrl,
          // oauth2-proxy's bearer verifier is the provider's: fixed keys only without discovery.
          ...(config.skipOidcDiscovery && config.oidcPublicKeyFiles.length > 0 ? { publicKeys: readPublicKeyFiles(config.oidcPublicKeyFiles) } : {}),
          audiences: [config.clientId, ...config.oidcExtraAudiences],
          audienceClaims: config.oidcAudienceClaims,
          algorithms: config.oidcEnabledSigningAlgs,
          jwksJsonFallback: false,
        }),
        claims: {
          // The deprecated --user-id-claim replaces the email claim when that is left at its default (as in registry.ts).
          email: config.oidcEmailClaim === 'email' && config.userIdClaim !== '' && config.userIdClaim !== 'email' ? config.userIdClaim : config.oidcEmailClaim,
          groups: config.oidcGroupsClaim,
          allowUnverifiedEmail: config.insecureOidcAllowUnverifiedEmail,
        },
      }
    : undefined
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
