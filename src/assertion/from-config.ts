import type { Config } from '../config/schema.js'
import type { ConfigIssue } from '../errors.js'
import type { Logger } from '../log/logger.js'
import { routesAskForAssertion, type RoutesSpec } from '../policy/spec.js'
import { createAssertions, type Assertions } from './assertions.js'
import { createKeyRing, type KeyRing } from './key-ring.js'

type AssertionConfig = Pick<
  Config,
  | 'setIdentityAssertion' | 'assertionHeader' | 'assertionKeyFile' | 'assertionSigningAlg' | 'assertionTtl' | 'assertionKeyPublishAhead'
  | 'assertionIssuer' | 'assertionAudience' | 'redirectUrl' | 'provider' | 'clientId' | 'insecureOidcAllowUnverifiedEmail'
>

/** The identity assertion service, and its key ring (which the JWKS endpoint reads). */
export interface IdentityAssertionSetup {
  ring: KeyRing
  assertions: Assertions
  /** `--set-identity-assertion`; false when the service exists only because routes ask for it. */
  global: boolean
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
 * Builds the assertion service when `--set-identity-assertion` is on or a route of `routes` asks for it; else
 * undefined. `idp` is oauth2-proxy's legacy provider id,
 * `<provider type>=<client id>`, the id its alpha config gives the provider converted from the legacy options.
 */
export async function createIdentityAssertionFromConfig(config: AssertionConfig, deps: { clock: () => number; log: Logger; routes?: RoutesSpec | undefined }): Promise<IdentityAssertionSetup | undefined> {
  if (!config.setIdentityAssertion && !routesAskForAssertion(deps.routes)) return undefined
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
    global: config.setIdentityAssertion,
    header: config.assertionHeader,
    issuer: configuredIssuer(config),
    audience: config.assertionAudience === '' ? undefined : config.assertionAudience,
  }
}

/**
 * A reload that turns a route's assertion on when the process started without a key ring (no
 * `--set-identity-assertion`, no such route): refused, since the key ring and its JWKS are built once per process.
 */
export function assertionReloadProblems(routes: RoutesSpec | undefined, ringExists: boolean): ConfigIssue[] {
  if (ringExists || routes === undefined) return []
  return routes.flatMap((route, i) =>
    route.identityAssertion === undefined || route.identityAssertion === false
      ? []
      : [{ option: `--alpha-config routes[${i}].identityAssertion`, value: JSON.stringify(route.identityAssertion), message: 'gatehouse started without an assertion key ring (no --set-identity-assertion, no route asking for one): restart gatehouse to turn assertions on' }],
  )
}
