import type { BearerRefine } from './bearer-sessions.js'
import { claimToString, getClaim } from './claims.js'
import { createOidcProvider, type OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'

export interface AdfsOptions {
  /** `--resource`: when set, the scope is prefixed with it (plus a trailing `/`). */
  resource: string
  /** `--scope` as configured; empty uses adfs's default `openid email profile`. */
  scope: string
  /** `ADFSConfig.skipScope`: no `scope` parameter in the login URL (every value of it, configured ones too). */
  skipScope: boolean
}

/** oauth2-proxy's ADFS claim that stands in for a missing email. */
const UPN_CLAIM = 'upn'

/**
 * oauth2-proxy's adfs scope: `openid email profile` unless `--scope` is set, prefixed with the resource URL (which
 * gets a trailing `/`) unless it already starts with it. The prefix goes before the whole string, as ADFS expects
 * `<resource>/openid`.
 */
export function adfsScope(scope: string, resource: string): string {
  const base = scope === '' ? 'openid email profile' : scope
  if (resource === '') return base
  const prefix = resource.endsWith('/') ? resource : `${resource}/`
  return base.startsWith(prefix) ? base : `${prefix}${base}`
}

/** Go's url.QueryEscape: every byte but letters, digits and `-_.~` percent-encoded, spaces as `+`. */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}

/** adfs bearer tokens: without the email claim the email is `upn`, as at sign-in, before oauth2-proxy's `sub`. */
export function adfsBearerSession(emailClaim: string): BearerRefine {
  return (session, claims) => {
    if (claimToString(getClaim(claims, emailClaim)) !== undefined) return session
    const upn = claimToString(getClaim(claims, UPN_CLAIM))
    return upn === undefined ? session : { ...session, email: upn }
  }
}

/**
 * `--provider=adfs`: generic OIDC as Active Directory Federation Services needs it. The scope carries the resource
 * prefix, `state` is escaped once more before the usual encoding (ADFS decodes it one time too many; oauth2-proxy
 * does the same), no nonce is sent, `scope` is left out with `skipScope`, and an account without an email claim is known by its `upn`, at sign-in and
 * after every refresh.
 */
export function createAdfsProvider(options: OidcProviderOptions, adfs: AdfsOptions): Provider {
  return createOidcProvider({
    ...options,
    name: 'adfs',
    scope: adfsScope(adfs.scope, adfs.resource),
    skipNonce: true,
    ...(adfs.skipScope ? { omitLoginParams: ['scope'] } : {}),
    hooks: {
      authorizationParams: (params) => ({ ...params, ...(params['state'] === undefined ? {} : { state: goQueryEscape(params['state']) }) }),
      // oauth2-proxy reads `upn` from the ID token, then from the profile URL, as any other claim.
      fallbackEmail: async ({ claims, lookup }) => claimToString(getClaim(claims, UPN_CLAIM)) ?? claimToString(await lookup(UPN_CLAIM)),
    },
  })
}
