import type { Logger } from '../log/logger.js'
import type { Session } from '../session/session.js'
import type { BearerRefine } from './bearer-sessions.js'
import type { IssuerPolicy } from './jwt-issuer.js'
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

/** Why a token's issuer may not sign in: not an Entra v2.0 tenant issuer, or a tenant outside `--entra-id-allowed-tenant`. */
export function entraTenantProblem(iss: unknown, issuerUrl: string, allowedTenants: readonly string[]): string | undefined {
  // oauth2-proxy checks the issuer shape even with no allow-list.
  const tenant = tenantFromIssuer(iss, issuerUrl)
  if (tenant === undefined) return 'the token issuer is not an Entra ID v2.0 tenant issuer'
  if (allowedTenants.length > 0 && !allowedTenants.includes(tenant)) return `tenant ${tenant} is not in --entra-id-allowed-tenant`
  return undefined
}

/**
 * The issuers of Entra ID bearer tokens: the configured one and, when its discovery publishes the multi-tenant template
 * `<origin>/{tenantid}/v2.0`, the issuer of the token's own `tid` (as the sign-in's ID token check).
 */
export function entraIssuerPolicy(issuerUrl: string): IssuerPolicy {
  let template: string | undefined
  try {
    template = `${new URL(issuerUrl).origin}/{tenantid}/v2.0`
  } catch {
    template = undefined
  }
  return {
    mayIssue: (iss) => iss === issuerUrl || tenantFromIssuer(iss, issuerUrl) !== undefined,
    acceptsDiscovered: (discovered) => discovered === issuerUrl || (template !== undefined && discovered === template),
    expected: (discovered, claims) => entraExpectedIssuer(discovered, issuerUrl, claims),
  }
}

/**
 * Entra ID bearer tokens meet the sign-in's tenant rules (oauth2-proxy checks them in ValidateSession, which bearer
 * sessions skip there). Group overage is not resolved: the token is for this API, not for Microsoft Graph.
 */
export function entraBearerCheck(issuerUrl: string, allowedTenants: readonly string[]): BearerRefine {
  return (session, claims) => entraTenantProblem(claims['iss'], issuerUrl, allowedTenants) ?? session
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
      validate: (context) => entraTenantProblem(context.idClaims['iss'], options.issuerUrl, entra.allowedTenants),
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
