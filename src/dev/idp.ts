/**
 * A development OpenID provider built on oidc-provider 9: discovery, authorization code with PKCE,
 * client_secret_basic / client_secret_post / public clients, refresh tokens with rotation, userinfo,
 * RS256 + ES256 JWKS with key rotation, RP-initiated logout and form_post, token introspection (RFC 7662) for
 * confidential clients and revocation (RFC 7009) of a client's own tokens, behind a plain HTML
 * login form with automatic consent.
 *
 * FOR DEVELOPMENT AND TESTS ONLY. Passwords are public, storage is in memory, nothing is hardened.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KoaContextWithOIDC, KoaNext, Provider } from 'oidc-provider'
import { ConfigError } from '../errors.js'
import type { ConfigIssue } from '../errors.js'
import { createMemoryAdapterFactory } from './idp-adapter.js'
import { rewriteAuthorizationUrl } from './idp-auth-request.js'
import { buildConfiguration } from './idp-config.js'
import { createInteractionHandler, sendHtml } from './idp-interactions.js'
import { generateSigningKeys, keyList, signWithJwk } from './idp-keys.js'
import type { SigningKeys } from './idp-keys.js'
import { errorPage } from './idp-pages.js'
import { shapesMiddleware, withAdfsScopes, withoutResourceInBody, withoutResourceInUrl, type RecordedRequest } from './idp-shapes.js'
import { allowRedirectPatterns } from './idp-redirects.js'
import type { DevIdp, DevIdpOptions, DevIdpStats, DevIdpTtl, RotateKeysOptions } from './idp-types.js'
import { DEFAULT_DEV_CLIENTS, DEFAULT_DEV_USERS } from './idp-users.js'

export type { DevClient, DevIdp, DevIdpOptions, DevIdpStats, DevIdpTtl, DevUser, RotateKeysOptions } from './idp-types.js'
export { DEFAULT_DEV_CLIENTS, DEFAULT_DEV_USERS } from './idp-users.js'

/** Starts the development IdP on 127.0.0.1 (port 0 unless given) and resolves once it listens. */
export async function startDevIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const ttl = initialTtl(options)
  const host = options.host ?? '127.0.0.1'
  const issuerPath = normalizeIssuerPath(options.issuerPath ?? '')
  const users = (options.users ?? DEFAULT_DEV_USERS).map((u) => ({ ...u, groups: [...u.groups] }))
  const clients = (options.clients ?? DEFAULT_DEV_CLIENTS).map((c) => ({ ...c }))
  const stats = emptyStats()
  const recorded: RecordedRequest[] = []
  const adapter = createMemoryAdapterFactory()
  const cookieKeys = [randomBytes(32).toString('base64url')]
  const interactionPrefix = `${issuerPath}/interaction/`
  const [ProviderCtor, firstKeys] = await Promise.all([importProviderQuietly(), generateSigningKeys()])
  let active: SigningKeys = firstKeys
  let previous: SigningKeys | undefined

  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}${issuerPath}`

  const build = (): { provider: Provider; callback: ReturnType<Provider['callback']> } => {
    const provider = new ProviderCtor(
      issuer,
      buildConfiguration({
        users: () => users,
        clients,
        ttl: () => ttl,
        keys: keyList(active, previous),
        cookieKeys,
        adapter,
        interactionPrefix,
        ...(options.jwtAccessTokens === undefined ? {} : { jwtAccessTokens: options.jwtAccessTokens }),
        ...(options.plainOAuth2 === true ? { plainOAuth2: true } : {}),
      }),
    )
    allowRedirectPatterns(provider, clients)
    provider.use(statsMiddleware(stats))
    provider.use(shapesMiddleware({ azureExpiresOn: options.azureV1 ?? false, adfsState: options.adfs ?? false, record: recorded }))
    return { provider, callback: provider.callback() }
  }
  let current = build()

  const interactions = createInteractionHandler({
    provider: () => current.provider,
    users: () => users,
    showUsers: options.showUsers ?? false,
    stats,
    prefix: interactionPrefix,
  })

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const rawUrl = req.url ?? '/'
    const path = rawUrl.split('?', 1)[0] ?? '/'
    if (path.startsWith(interactionPrefix)) {
      const uid = path.slice(interactionPrefix.length)
      if (uid !== '' && !uid.includes('/')) {
        void interactions(req, res, uid)
        return
      }
    }
    if (issuerPath !== '' && path !== issuerPath && !path.startsWith(`${issuerPath}/`)) {
      sendHtml(res, 404, errorPage('not_found', 'No such endpoint at this development IdP.'))
      return
    }
    if (options.azureV1 === true && req.method === 'POST' && isRoutePath(path, current.provider.pathFor('token'), issuerPath)) {
      // Azure AD v1's `resource` in the token form: taken out before oidc-provider reads it (idp-shapes.ts).
      void withoutResourceInBody(req).then(
        (replay) => handle(replay, res, rawUrl),
        () => sendHtml(res, 400, errorPage('invalid_request', 'Unreadable token request.')),
      )
      return
    }
    const fault = faultAt(path)
    if (fault === 'hang') return
    if (fault === 'error') {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'server_error', error_description: 'injected by the test (DevIdp.faults)' }))
      return
    }
    let url = rawUrl
    if (options.azureV1 === true && req.method === 'GET') url = withoutResourceInUrl(req, url)
    if (options.adfs === true && req.method === 'GET') url = withAdfsScopes(req, url)
    handle(req, res, url)
  })

  const faults: DevIdp['faults'] = {}
  function faultAt(path: string): 'error' | 'hang' | undefined {
    for (const route of ['token', 'userinfo', 'introspection'] as const) {
      const mode = faults[route]
      if (mode !== undefined && isRoutePath(path, current.provider.pathFor(route), issuerPath)) return mode
    }
    return undefined
  }

  function handle(req: IncomingMessage, res: ServerResponse, rawUrl: string): void {
    const url = req.method === 'GET' ? rewriteAuthorizationUrl(rawUrl, current.provider.pathFor('authorization')) : rawUrl
    if (issuerPath !== '') {
      // Mount the provider under the issuer path the way Express does: strip the prefix and keep
      // the full URL in originalUrl, from which oidc-provider derives its endpoint URLs.
      const rest = url.slice(issuerPath.length)
      Object.assign(req, { originalUrl: url })
      req.url = rest.startsWith('/') ? rest : `/${rest}`
    } else {
      req.url = url
    }
    current.callback(req, res).catch(() => {
      if (!res.headersSent) sendHtml(res, 500, errorPage('server_error', undefined))
      else res.destroy()
    })
  }

  return {
    issuer,
    port,
    users,
    clients,
    stats,
    requests: recorded,
    faults,
    get activeKeyIds() {
      return { RS256: active.RS256.kid ?? '', ES256: active.ES256.kid ?? '' }
    },
    get publishedKeyIds() {
      return keyList(active, previous).map((k) => k.kid ?? '')
    },
    setTtl(next: Partial<DevIdpTtl>) {
      const merged = { ...ttl, ...next }
      checkTtl(merged)
      Object.assign(ttl, merged)
    },
    getTtl: () => ({ ...ttl }),
    setBackchannelLogout(clientId, uri, sessionRequired = true) {
      const client = clients.find((c) => c.clientId === clientId)
      if (client === undefined) throw new Error(`no client ${clientId} at the development IdP`)
      if (uri === undefined) delete client.backchannelLogoutUri
      else Object.assign(client, { backchannelLogoutUri: uri, backchannelLogoutSessionRequired: sessionRequired })
      current = build()
    },
    async rotateKeys(rotation: RotateKeysOptions = {}) {
      const fresh = await generateSigningKeys()
      previous = rotation.keepPrevious === false ? undefined : active
      active = fresh
      current = build()
    },
    async signJwt(claims, signOptions = {}) {
      const jwk = active[signOptions.alg ?? 'RS256']
      const now = Math.floor(Date.now() / 1000)
      return signWithJwk({ iss: issuer, iat: now, exp: now + (signOptions.expiresInSec ?? ttl.idTokenTtlSec), ...claims }, jwk)
    },
    resetStats() {
      Object.assign(stats, emptyStats())
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

/** pathFor() answers without the mount path until a request taught oidc-provider where it is mounted, then with it. */
function isRoutePath(path: string, tokenPath: string, issuerPath: string): boolean {
  return path === tokenPath || path === `${issuerPath}${tokenPath}`
}

/** Counts requests per route once the provider has answered; also advertises PKCE `plain` in discovery. */
function statsMiddleware(stats: DevIdpStats): (ctx: KoaContextWithOIDC, next: KoaNext) => Promise<void> {
  return async (ctx, next) => {
    try {
      await next()
    } finally {
      const oidc = ctx.oidc
      switch (oidc?.route) {
        case 'token': {
          const grantType = typeof oidc.params?.grant_type === 'string' ? oidc.params.grant_type : 'unknown'
          stats.tokenGrants[grantType] = (stats.tokenGrants[grantType] ?? 0) + 1
          if (ctx.status >= 400) stats.tokenGrantErrors[grantType] = (stats.tokenGrantErrors[grantType] ?? 0) + 1
          break
        }
        case 'userinfo':
          stats.userinfoCalls += 1
          break
        case 'introspection':
          stats.introspectionCalls += 1
          break
        case 'jwks':
          stats.jwksCalls += 1
          break
        case 'discovery':
          stats.discoveryCalls += 1
          if (ctx.body !== null && typeof ctx.body === 'object') {
            Object.assign(ctx.body, { code_challenge_methods_supported: ['S256', 'plain'] })
          }
          break
        case 'authorization':
          stats.authorizationRequests += 1
          break
        case 'end_session':
          stats.endSessionCalls += 1
          break
        default:
          break
      }
    }
  }
}

function emptyStats(): DevIdpStats {
  return {
    tokenGrants: {},
    tokenGrantErrors: {},
    userinfoCalls: 0,
    introspectionCalls: 0,
    jwksCalls: 0,
    discoveryCalls: 0,
    authorizationRequests: 0,
    logins: 0,
    failedLogins: 0,
    endSessionCalls: 0,
  }
}

function initialTtl(options: DevIdpOptions): DevIdpTtl {
  const ttl = {
    idTokenTtlSec: options.idTokenTtlSec ?? 3600,
    accessTokenTtlSec: options.accessTokenTtlSec ?? 3600,
    refreshTokenTtlSec: options.refreshTokenTtlSec ?? 24 * 3600,
  }
  checkTtl(ttl)
  return ttl
}

function checkTtl(ttl: DevIdpTtl): void {
  const issues: ConfigIssue[] = []
  for (const [option, value] of Object.entries(ttl)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      issues.push({ option, value: String(value), message: 'must be a positive whole number of seconds' })
    }
  }
  if (issues.length > 0) throw new ConfigError(issues)
}

function normalizeIssuerPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  if (trimmed === '') return ''
  if (!trimmed.startsWith('/') || /[?#]/.test(trimmed)) {
    throw new ConfigError([{ option: 'issuerPath', value: path, message: 'must be a path starting with / and without query or fragment' }])
  }
  return trimmed
}

/**
 * Imports oidc-provider while dropping its one import-time notice ("Unsupported runtime": it asks
 * for Node 22, yet runs on Node 20, see reference/deps.md §4). Every other console output passes through.
 */
async function importProviderQuietly(): Promise<typeof Provider> {
  const original = console.warn
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return
    original.apply(console, args)
  }
  try {
    const mod = await import('oidc-provider')
    return mod.default
  } finally {
    console.warn = original
  }
}
