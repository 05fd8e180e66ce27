import { z } from 'zod'
import { assertionOptions } from './options/assertion.js'
import type { StructuredConfig } from './alpha/types.js'
import { authorizationOptions } from './options/authorization.js'
import { cookieOptions } from './options/cookies.js'
import { headerOptions } from './options/headers.js'
import { loggingOptions } from './options/logging.js'
import { metricsOptions } from './options/metrics.js'
import { miscOptions } from './options/misc.js'
import { oidcOptions } from './options/oidc.js'
import { pageOptions } from './options/pages.js'
import { providerSpecificOptions } from './options/provider-specific.js'
import { providerOptions } from './options/provider.js'
import { serverOptions } from './options/server.js'
import { sessionOptions } from './options/session.js'
import { adminOptions } from './options/admin.js'
import { tracingOptions } from './options/tracing.js'
import { upstreamOptions } from './options/upstreams.js'

/** Every oauth2-proxy legacy option, keyed by the camelCase of its cfg key, in display order. */
export const configShape = {
  ...serverOptions,
  ...upstreamOptions,
  ...cookieOptions,
  ...sessionOptions,
  ...adminOptions,
  ...providerOptions,
  ...providerSpecificOptions,
  ...oidcOptions,
  ...authorizationOptions,
  ...headerOptions,
  ...assertionOptions,
  ...loggingOptions,
  ...metricsOptions,
  ...tracingOptions,
  ...pageOptions,
  ...miscOptions,
}

/** The per-option schema, before the cross-field rules of `schema.ts`. */
export const configObject = z.strictObject(configShape)

/** A Config field name. */
export type ConfigKey = keyof typeof configShape

/** One cross-field problem, attached to the option the user should change. */
export interface CrossProblem {
  key: ConfigKey
  message: string
}

/**
 * The loaded configuration: one field per oauth2-proxy cfg key in camelCase, durations in milliseconds,
 * lists as string arrays. Frozen at runtime.
 */
export type Config = Readonly<z.output<typeof configObject>> & {
  /**
   * The structured form (upstreams, header injections, listeners, providers): the `--alpha-config` file's, or the
   * legacy options converted. Set by loadConfig; read it through `structuredOf(config)`.
   */
  readonly structured?: StructuredConfig
}
