import { ProxyError } from '../errors.js'
import { callApi, expectJson } from './api-call.js'
import type { OAuth2Identity } from './oauth2-base.js'

/** `Authorization: Bearer` and `Accept: application/json`, oauth2-proxy's `makeOIDCHeader`. */
export function bearerHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, accept: 'application/json' }
}

/**
 * The identity of the legacy `keycloak` provider, from Keycloak's userinfo endpoint (`--profile-url`, else
 * `--validate-url`, as oauth2-proxy): `email` (required), the non-empty strings of `groups`, `preferred_username`, and
 * `user`, else `preferred_username`, as the user.
 */
export function keycloakIdentityFromUserinfo(info: unknown): OAuth2Identity {
  const claims = (info !== null && typeof info === 'object' ? info : {}) as Record<string, unknown>
  const email = claims['email']
  if (typeof email !== 'string') throw new ProxyError('ERR_OIDC_CLAIMS', 500, 'unable to extract email from userinfo endpoint')
  const groups = Array.isArray(claims['groups']) ? claims['groups'].filter((g): g is string => typeof g === 'string' && g !== '') : []
  const preferred = typeof claims['preferred_username'] === 'string' ? claims['preferred_username'] : undefined
  const user = typeof claims['user'] === 'string' && claims['user'] !== '' ? claims['user'] : preferred
  return { email, groups, ...(user === undefined ? {} : { user }), ...(preferred === undefined ? {} : { preferredUsername: preferred }) }
}

/** Reads the userinfo document with the access token; a failure is a 502 naming the call. */
export function createKeycloakIdentify(options: { fetch: typeof fetch; userinfoUrl: string }): (token: string) => Promise<OAuth2Identity> {
  return async (token) => {
    const call = 'Keycloak GET userinfo (--profile-url)'
    const answer = await callApi({ fetch: options.fetch, url: options.userinfoUrl, call, headers: bearerHeaders(token) })
    return keycloakIdentityFromUserinfo(expectJson(answer, call))
  }
}
