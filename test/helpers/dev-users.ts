// Users of the development IdP shaped for one test: the fields every test user shares, and the Keycloak shape
// (groups in the ID token, realm and client roles in the access token) that more than one test needs.
import type { KeyObject } from 'node:crypto'
import type { DevClient, DevUser } from '../../src/dev/idp-types.js'

/** A user with a verified email, `name` as display and preferred user name, groups [] and the password `<name>-password`; `fields` set the rest or override. */
export function devUser(name: string, fields: Pick<DevUser, 'sub' | 'email'> & Partial<DevUser>): DevUser {
  return { emailVerified: true, name, preferredUsername: name, groups: [], password: `${name}-password`, ...fields }
}

/** A Keycloak realm user: `sub` `<name>-id`, email `<name>@example.com`, the roles where Keycloak's `roles` scope puts them (access token only). */
export function keycloakUser(name: string, groups: string[], realmRoles: string[], clientRoles: Record<string, string[]>): DevUser {
  const resourceAccess = Object.fromEntries(Object.entries(clientRoles).map(([client, roles]) => [client, { roles }]))
  return devUser(name, {
    sub: `${name}-id`,
    email: `${name}@example.com`,
    groups,
    accessTokenClaims: { realm_access: { roles: realmRoles }, resource_access: resourceAccess },
  })
}

/** The dev IdP's default clients plus one that authenticates with RS256 client assertions (private_key_jwt) by `publicKey`. */
export function withPrivateKeyJwtClient(defaults: readonly DevClient[], clientId: string, publicKey: KeyObject): DevClient[] {
  return [
    ...defaults,
    {
      clientId,
      authMethod: 'private_key_jwt',
      jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' }] },
      redirectUris: ['http://127.0.0.1:*/**'],
    },
  ]
}
