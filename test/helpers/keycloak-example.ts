// docs/examples/keycloak's shared set-up: the dev IdP shaped like a Keycloak realm (issuer /realms/internal, JWT
// access tokens for the `intranet` client) and the substitutions that point the example's gatehouse.cfg at it.
import type { DevUser } from '../../src/dev/idp-types.js'
import { newCookieSecret, startBackends, type Backends } from './forward-auth.js'

/** The realm's IdP and the echo app for the example's users. */
export function startKeycloakBackends(users: DevUser[]): Promise<Backends> {
  return startBackends({
    issuerPath: '/realms/internal',
    users,
    jwtAccessTokens: { audience: 'intranet' },
    clients: [{ clientId: 'intranet', clientSecret: 'intranet-secret', authMethod: 'client_secret_basic', redirectUris: ['http://intranet.example.com:*/**'] }],
  })
}

/** gatehouse.cfg's placeholders → this run's addresses, IdP, client secret and a fresh cookie secret. */
export function keycloakCfgReplacements(backends: Backends, gatehouse: string, base: string): Record<string, string> {
  return {
    '127.0.0.1:4180': gatehouse,
    'https://sso.example.com/realms/internal': backends.idp.issuer,
    '"change-me"': '"intranet-secret"',
    'change-me-to-32-random-bytes-base64': newCookieSecret(),
    'https://intranet.example.com/oauth2/callback': `${base}/oauth2/callback`,
  }
}

/** app.conf's (or app-policy.conf's) listen address, gatehouse and the three apps, all on this run's ports. */
export function keycloakNginxReplacements(nginxPort: number, gatehouse: string, echoAddress: string): Record<string, string> {
  return {
    'listen 80;': `listen 127.0.0.1:${nginxPort};`,
    '127.0.0.1:4180': gatehouse,
    '127.0.0.1:8080': echoAddress,
    '127.0.0.1:8081': echoAddress,
    '127.0.0.1:8082': echoAddress,
  }
}
