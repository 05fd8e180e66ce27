import type { Logger } from '../log/logger.js'
import type { Session } from '../session/session.js'
import { fetchTransitiveGroupIds } from './ms-graph.js'
import { createOidcProvider, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'

export interface EntraIdOptions {
  /** `--entra-id-allowed-tenant`: tenant IDs allowed to sign in; empty allows all. */
  allowedTenants: readonly string[]
  /** Base URL of Microsoft Graph (https://graph.microsoft.com, or a stand-in in tests). */
  graphUrl: string
  log: Logger
}

/**
 * The tenant named by an Entra v2 issuer `<origin>/<tenant>/v2.0`, where `<origin>` is the configured issuer's origin
 * (https://login.microsoftonline.com in production, as oauth2-proxy's fixed pattern); undefined for any other shape.
 */
export function tenantFromIssuer(iss: unknown, issuerUrl: string): string | undefined {
  if (typeof iss !== 'string') return undefined
  let origin: string
  try {
    origin = new URL(issuerUrl).origin
  } catch {
    return undefined
  }
  if (!iss.startsWith(`${origin}/`)) return undefined
  return /^([a-zA-Z0-9-]+)\/v2\.0$/.exec(iss.slice(origin.length + 1))?.[1]
}

/**
 * The issuer a token must carry. Multi-tenant discovery (`/common/v2.0`, `/organizations/v2.0`) publishes
 * `https://login.microsoftonline.com/{tenantid}/v2.0`: the token's `tid` fills the template, as openid-client does.
 * Otherwise the configured issuer URL, as for every OIDC provider.
 */
export function entraExpectedIssuer(discoveredIssuer: string, issuerUrl: string, claims: Readonly<Record<string, unknown>>): string {
  if (!discoveredIssuer.includes('{tenantid}')) return issuerUrl
  const tid = claims['tid']
  return typeof tid === 'string' && /^[a-zA-Z0-9-]+$/.test(tid) ? discoveredIssuer.replace('{tenantid}', tid) : issuerUrl
}

/** True when the ID token says its groups did not fit ("group overage": `_claim_names` has a `groups` entry). */
export function hasGroupOverage(claims: Readonly<Record<string, unknown>>): boolean {
  const names = claims['_claim_names']
  return names !== null && typeof names === 'object' && !Array.isArray(names) && Object.hasOwn(names, 'groups')
}

/**
 * `--provider=entra-id`: generic OIDC plus Microsoft Entra ID's tenant check (`--entra-id-allowed-tenant`, against the
 * tenant in `iss`) and group overage (groups read from Microsoft Graph when the ID token has too many to carry).
 */
export function createEntraIdProvider(options: OidcProviderOptions, entra: EntraIdOptions): Provider {
  return createOidcProvider({
    ...options,
    name: 'entra-id',
    hooks: {
      expectedIssuer: (discovered, claims) => entraExpectedIssuer(discovered, options.issuerUrl, claims),
      validate(context) {
        // oauth2-proxy checks the issuer shape even with no allow-list.
        const tenant = tenantFromIssuer(context.idClaims['iss'], options.issuerUrl)
        if (tenant === undefined) return 'the ID token issuer is not an Entra ID v2.0 tenant issuer'
        if (entra.allowedTenants.length > 0 && !entra.allowedTenants.includes(tenant)) return `tenant ${tenant} is not in --entra-id-allowed-tenant`
        return undefined
      },
      async enrich(session: Session, context) {
        if (!hasGroupOverage(context.idClaims) || session.accessToken === undefined) return session
        entra.log.info({ event: 'provider.entra.overage', user: session.user }, 'group overage: reading groups from Microsoft Graph')
        let ids: string[]
        try {
          ids = await fetchTransitiveGroupIds({ fetch: options.fetch, graphUrl: entra.graphUrl, accessToken: session.accessToken })
        } catch (err) {
          // oauth2-proxy logs and signs the user in without the Graph groups.
          entra.log.warn({ event: 'provider.entra.graph_failed', user: session.user, error: (err as Error).message }, 'Microsoft Graph call failed; no groups added')
          return session
        }
        const groups = [...new Set([...(session.groups ?? []), ...ids])]
        return groups.length === 0 ? session : { ...session, groups }
      },
    },
  })
}
