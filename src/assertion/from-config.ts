import type { Config } from '../config/schema.js'
import type { Logger } from '../log/logger.js'
import { createAssertions, type Assertions } from './assertions.js'
import { createKeyRing, type KeyRing } from './key-ring.js'

type AssertionConfig = Pick<
  Config,
  | 'setIdentityAssertion' | 'assertionHeader' | 'assertionKeyFile' | 'assertionSigningAlg' | 'assertionTtl' | 'assertionKeyPublishAhead'
  | 'assertionIssuer' | 'assertionAudience' | 'redirectUrl' | 'provider' | 'clientId' | 'insecureOidcAllowUnverifiedEmail'
>

/** The identity assertion service of `--set-identity-assertion`, and its key ring (which the JWKS endpoint reads). */
export interface IdentityAssertionSetup {
  ring: KeyRing
  assertions: Assertions
  header: string
  issuer: string | undefined
  audience: string | undefined
}

/** gatehouse's public URL for `iss`: `--assertion-issuer`, else the origin of an absolute `--redirect-url`. */
export function configuredIssuer(config: Pick<Config, 'assertionIssuer' | 'redirectUrl'>): string | undefined {
  if (config.assertionIssuer !== '') return config.assertionIssuer.replace(/\/+$/, '')
  if (/^https?:\/\//i.test(config.redirectUrl)) return new URL(config.redirectUrl).origin
  return undefined
}

/**
 * Builds the assertion service, or undefined when assertions are off. `idp` is oauth2-proxy's legacy provider id,
 * `<provider type>=<client id>`, the id its alpha config gives the provider converted from the legacy options.
 */
export async function createIdentityAssertionFromConfig(config: AssertionConfig, deps: { clock: () => number; log: Logger }): Promise<IdentityAssertionSetup | undefined> {
  if (!config.setIdentityAssertion) return undefined
  const ring = await createKeyRing({
    file: config.assertionKeyFile,
    generatedAlg: config.assertionSigningAlg,
    publishAheadMs: config.assertionKeyPublishAhead,
    clock: deps.clock,
    log: deps.log,
  })
  const assertions = createAssertions({
    ring,
    ttlMs: config.assertionTtl,
    idp: `${config.provider}=${config.clientId}`,
    emailVerified: !config.insecureOidcAllowUnverifiedEmail,
    clock: deps.clock,
  })
  return {
    ring,
    assertions,
    header: config.assertionHeader,
    issuer: configuredIssuer(config),
    audience: config.assertionAudience === '' ? undefined : config.assertionAudience,
  }
}
