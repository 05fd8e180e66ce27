import { ProxyError } from '../errors.js'
import type { Session } from '../session/session.js'
import { claimToGroups, claimToString, getClaim } from './claims.js'
import { fetchGraphEmail, fetchSecurityGroups, MS_GRAPH_URL } from './ms-graph.js'
import { jwtPayload } from './jwt-payload.js'
import { createOidcProvider, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'
import { bearerJson } from './rest-identities.js'
import { validationProblem } from './validate-url.js'

export interface AzureOptions {
  /** `--azure-tenant` (default `common`): the tenant in the default login and token URLs. */
  tenant: string
  /** `--azure-graph-group-field` (default `id`): the Graph group property used as the group name (v2.0 only). */
  graphGroupField: string
  /** `--resource`: sent as `resource` to the v1 endpoints; ignored on v2.0. */
  resource: string
  /** `--scope` as configured; empty uses azure's default `openid`. */
  scope: string
  /** `--validate-url`; empty validates against the profile URL. */
  validateUrl: string
  /** Microsoft Graph's base URL when no `--profile-url` names another host (a stand-in in tests). */
  graphUrl: string
}

const LOGIN_HOST = 'https://login.microsoftonline.com'

/** True when the flow runs against the Microsoft identity platform v2.0 endpoint (oauth2-proxy: the login URL contains "v2.0"). */
export function isAzureV2(options: Pick<OidcProviderOptions, 'skipDiscovery' | 'loginUrl' | 'issuerUrl'>): boolean {
  // With discovery the login URL is the discovered one, which carries v2.0 exactly when the issuer does.
  return (options.skipDiscovery ? options.loginUrl : options.issuerUrl).includes('v2.0')
}

/**
 * oauth2-proxy's azure scope: `openid` unless `--scope` is set; on v2.0 the `groups` scope is dropped (v2.0 refuses
 * it) and `https://<Graph host>/.default` added so the access token may read Microsoft Graph.
 */
export function azureScope(scope: string, v2: boolean, profileUrl: string): string {
  let out = scope === '' ? 'openid' : scope
  if (!v2) return out
  out = out.replaceAll(' groups', '')
  const graphScope = `https://${new URL(profileUrl).host}/.default`
  return out.includes(` ${graphScope}`) ? out : `${out} ${graphScope}`
}

/**
 * `--provider=azure`, oauth2-proxy's legacy Azure AD provider: v1 endpoints (`/<tenant>/oauth2/authorize` and `/token`)
 * with `resource`, or v2.0 with security groups read from Microsoft Graph. The secret goes in the form, `expires_on`
 * (a string of epoch seconds) sets the expiry, the email falls back to the access token and then to Graph `/me`,
 * and sessions are validated by calling the profile URL with the access token.
 */
export function createAzureProvider(options: OidcProviderOptions, azure: AzureOptions): Provider {
  const tenant = azure.tenant === '' ? 'common' : azure.tenant
  const profileUrl = options.profileUrl !== '' ? options.profileUrl : new URL('/v1.0/me', azure.graphUrl).toString()
  const graphUrl = options.profileUrl !== '' && azure.graphUrl === MS_GRAPH_URL ? new URL(options.profileUrl).origin : azure.graphUrl
  const validateUrl = azure.validateUrl !== '' ? azure.validateUrl : profileUrl
  const base: OidcProviderOptions = {
    ...options,
    loginUrl: options.loginUrl !== '' ? options.loginUrl : `${LOGIN_HOST}/${tenant}/oauth2/authorize`,
    redeemUrl: options.redeemUrl !== '' ? options.redeemUrl : `${LOGIN_HOST}/${tenant}/oauth2/token`,
    profileUrl,
  }
  const v2 = isAzureV2(base)
  const resource = v2 || azure.resource === '' ? undefined : { resource: azure.resource }
  const accessClaims = (session: { accessToken?: string | undefined }): Record<string, unknown> => jwtPayload(session.accessToken)
  return createOidcProvider({
    ...base,
    name: 'azure',
    scope: azureScope(azure.scope, v2, options.profileUrl !== '' ? options.profileUrl : MS_GRAPH_URL),
    clientSecretPost: true,
    hooks: {
      ...(resource === undefined ? {} : { authorizationParams: (params) => ({ ...params, ...resource }), tokenParams: resource }),
      expiresOn(tokens) {
        const seconds = Number(tokens['expires_on'])
        return typeof tokens['expires_on'] === 'string' && Number.isSafeInteger(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined
      },
      async fallbackEmail({ accessToken }) {
        // oauth2-proxy: claims from the ID token, else from the access token (it came from the token endpoint), else Graph /me.
        const fromAccessToken = claimToString(getClaim(accessClaims({ accessToken }), options.emailClaim))
        if (fromAccessToken !== undefined || accessToken === undefined) return fromAccessToken
        return fetchGraphEmail({ fetch: options.fetch, profileUrl, accessToken })
      },
      validate: ({ accessToken }) => validationProblem({ fetch: options.fetch, validateUrl, accessToken, headers: bearerJson, provider: 'azure' }),
      async enrich(session: Session, context) {
        let groups = session.groups ?? []
        if (getClaim(context.idClaims, options.emailClaim) === undefined) {
          const fromAccess = claimToGroups(getClaim(accessClaims(session), options.groupsClaim))
          if (fromAccess !== undefined) groups = fromAccess
        }
        if (v2) {
          if (session.accessToken === undefined) throw new ProxyError('ERR_OIDC_CLAIMS', 500, 'azure: no access token to read groups from Microsoft Graph')
          const extra = await fetchSecurityGroups({ fetch: options.fetch, graphUrl, accessToken: session.accessToken, field: azure.graphGroupField })
          groups = [...new Set([...groups, ...extra])]
        }
        // oauth2-proxy's azure provider copies only the email and the groups from the claims: no user, no preferred username.
        const { user: _user, preferredUsername: _pu, groups: _old, ...rest } = session
        return groups.length === 0 ? rest : { ...rest, groups }
      },
    },
  })
}
