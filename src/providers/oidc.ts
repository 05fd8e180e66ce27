import * as oidc from 'openid-client'
import { createRemoteJWKSet, customFetch as joseFetch } from 'jose'
import { safeEqual } from '../crypto/equal.js'
import { ProxyError } from '../errors.js'
import type { Session } from '../session/session.js'
import { audienceProblem, claimToGroups, claimToString, getClaim } from './claims.js'
import { goClientSecretBasic } from './go-basic-auth.js'
import { callTokenEndpoint, describeFailure, exchangeFailure, refreshFailure } from './oidc-token-call.js'
import { jwtPayload } from './jwt-payload.js'
import { introspectAt } from './oidc-introspection.js'
import { buildLoginUrl } from './login-query.js'
import { LOGOUT_TOKEN_MAX_AGE_SEC, logoutClaims } from './logout-token.js'
import type { AssertionKey, OidcHookContext, OidcHooks, OidcProviderOptions } from './oidc-options.js'
import type { Provider, RedeemInput } from './provider.js'
import { verifyWithKeys, type KeySource } from './static-keys.js'

export type { AssertionKey, OidcHookContext, OidcHooks, OidcProviderOptions } from './oidc-options.js'

/** Tolerated clock difference with the IdP when checking token times. */
const CLOCK_TOLERANCE_SEC = 30

/** Generic OpenID Connect, as oauth2-proxy's `oidc` provider: discovery, code + PKCE, ID token checks, claims. */
export function createOidcProvider(options: OidcProviderOptions): Provider {
  const hooks: OidcHooks = options.hooks ?? {}
  let configuration: Promise<oidc.Configuration> | undefined
  let inFormConfiguration: oidc.Configuration | undefined
  let jwks: KeySource | undefined
  const metadata: Partial<oidc.ClientMetadata> = { [oidc.clockTolerance]: CLOCK_TOLERANCE_SEC }
  const insecure = options.issuerUrl.startsWith('http:') || options.loginUrl.startsWith('http:') || options.redeemUrl.startsWith('http:')
  // oauth2-proxy's token calls try HTTP Basic first, then the secret in the form (see callTokenEndpoint).
  const probesAuthStyle = options.privateKeyJwt === undefined && options.clientSecretPost !== true && options.clientSecret !== undefined && options.clientSecret !== ''
  // Values that must never reach a log line, even when the IdP echoes them in an error_description.
  const secrets = [options.clientSecret]
  const introspectionUrl = options.introspectionUrl ?? ''

  function clientAuth(assertionKey: AssertionKey | undefined): oidc.ClientAuth {
    const jwt = options.privateKeyJwt
    if (jwt !== undefined && assertionKey !== undefined) {
      // openid-client signs iss = sub = client_id with iat, nbf and jti; oauth2-proxy's login.gov sets aud and exp so.
      return oidc.PrivateKeyJwt(assertionKey, {
        [oidc.modifyAssertion]: (_header, payload) => {
          payload['aud'] = jwt.audience
          payload['exp'] = Math.floor(Date.now() / 1000) + jwt.lifetimeSec
        },
      })
    }
    const assertion = options.clientAssertion
    if (assertion !== undefined) {
      return (_server, client, body) => {
        body.set('client_id', client.client_id)
        body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
        body.set('client_assertion', assertion())
      }
    }
    if (options.clientSecret === undefined || options.clientSecret === '') return oidc.None()
    // golang.org/x/oauth2's header style: id and secret query-escaped as Go does (openid-client escapes `-_.~` too,
    // which servers that do not decode the header, such as Glewlwyd, refuse).
    return options.clientSecretPost === true ? oidc.ClientSecretPost(options.clientSecret) : goClientSecretBasic(options.clientSecret)
  }

  /** openid-client's settings for IdP calls: our fetch, the timeout, plain HTTP when the URLs are http. */
  function configure(config: oidc.Configuration): oidc.Configuration {
    config[oidc.customFetch] = options.fetch as oidc.CustomFetch
    config.timeout = Math.ceil(options.timeoutMs / 1000)
    if (insecure) oidc.allowInsecureRequests(config)
    return config
  }

  /** The same provider with `client_id` and `client_secret` in the form: the second try of a token call. */
  function inForm(config: oidc.Configuration): (() => oidc.Configuration) | undefined {
    if (!probesAuthStyle) return undefined
    return () => (inFormConfiguration ??= configure(new oidc.Configuration(config.serverMetadata(), options.clientId, metadata, oidc.ClientSecretPost(options.clientSecret))))
  }

  async function load(): Promise<oidc.Configuration> {
    const assertionKey = await options.privateKeyJwt?.key()
    let config: oidc.Configuration
    if (options.skipDiscovery) {
      const server: oidc.ServerMetadata = {
        issuer: options.issuerUrl,
        authorization_endpoint: options.loginUrl,
        token_endpoint: options.redeemUrl,
        ...(options.profileUrl === '' ? {} : { userinfo_endpoint: options.profileUrl }),
        ...(options.jwksUrl === '' ? {} : { jwks_uri: options.jwksUrl }),
        ...(introspectionUrl === '' ? {} : { introspection_endpoint: introspectionUrl }),
      }
      config = new oidc.Configuration(server, options.clientId, metadata, clientAuth(assertionKey))
    } else {
      try {
        config = await oidc.discovery(new URL(options.issuerUrl), options.clientId, metadata, clientAuth(assertionKey), {
          [oidc.customFetch]: options.fetch as oidc.CustomFetch,
          timeout: Math.ceil(options.timeoutMs / 1000),
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        })
      } catch (err) {
        throw new ProxyError('ERR_OIDC_DISCOVERY_FAILED', 502, `OIDC discovery at ${options.issuerUrl} failed: ${describeFailure(err, 'the discovery URL', secrets)}`, { cause: err })
      }
      if (introspectionUrl !== '') {
        // --introspection-url replaces the discovered endpoint (serverMetadata() adds a method that is no metadata).
        const { supportsPKCE: _method, ...discovered } = config.serverMetadata()
        config = new oidc.Configuration({ ...discovered, introspection_endpoint: introspectionUrl }, options.clientId, metadata, clientAuth(assertionKey))
      }
    }
    configure(config)
    const meta = config.serverMetadata()
    if (options.skipDiscovery && options.publicKeys !== undefined && options.publicKeys.length > 0) {
      jwks = { kind: 'static', keys: options.publicKeys }
      return config
    }
    const jwksUri = options.jwksUrl !== '' && options.skipDiscovery ? options.jwksUrl : meta.jwks_uri
    if (jwksUri === undefined) throw new ProxyError('ERR_OIDC_DISCOVERY_FAILED', 502, 'the provider publishes no jwks_uri')
    // jose re-fetches the key set whenever a token names an unknown `kid` (key rotation), as go-oidc does; concurrent
    // look-ups share one fetch. No cool-down: after an IdP swaps its keys the very next sign-in must verify, and ID tokens
    // only come from the token endpoint over the back channel, so a client cannot make us fetch at will.
    jwks = { kind: 'jwks', getKey: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: options.timeoutMs, cooldownDuration: 0, [joseFetch]: options.fetch }) }
    return config
  }

  /** The discovered configuration; a failed discovery is retried on the next call instead of being cached. */
  function ready(): Promise<oidc.Configuration> {
    configuration ??= load().then((config) => {
      inFormConfiguration = undefined
      return config
    }).catch((err: unknown) => {
      configuration = undefined
      throw err
    })
    return configuration
  }

  async function verifyIdToken(idToken: string, expectedNonce: string | undefined): Promise<Record<string, unknown>> {
    const config = await ready()
    if (jwks === undefined) throw new ProxyError('ERR_OIDC_ID_TOKEN_INVALID', 500, 'no key set')
    try {
      const algorithms = options.enabledSigningAlgs.length > 0 ? [...options.enabledSigningAlgs] : undefined
      // jose takes alg from the key set and refuses `none` and HMAC algs for asymmetric keys.
      const { payload } = await verifyWithKeys(idToken, jwks, {
        ...(hooks.expectedIssuer === undefined ? { issuer: options.issuerUrl } : {}),
        clockTolerance: CLOCK_TOLERANCE_SEC,
        ...(algorithms === undefined ? {} : { algorithms }),
      })
      if (hooks.expectedIssuer !== undefined) {
        const expected = hooks.expectedIssuer(config.serverMetadata().issuer, payload as Record<string, unknown>)
        if (payload.iss !== expected) throw new Error('unexpected "iss" claim value')
      }
      const audience = audienceProblem(payload as Record<string, unknown>, [options.clientId, ...options.extraAudiences], options.audienceClaims)
      if (audience !== undefined) throw new Error(audience)
      if (expectedNonce !== undefined && (typeof payload['nonce'] !== 'string' || !safeEqual(payload['nonce'], expectedNonce))) throw new Error('nonce mismatch')
      return payload as Record<string, unknown>
    } catch (err) {
      throw new ProxyError('ERR_OIDC_ID_TOKEN_INVALID', 403, `ID token rejected: ${(err as Error).message}`, { cause: err })
    }
  }

  /** Back-Channel Logout §2.6: signed by the IdP's keys, our `iss` and `aud` (the client id), not expired, recent `iat`. */
  async function verifyLogoutToken(token: string): Promise<ReturnType<typeof logoutClaims>> {
    await ready()
    if (jwks === undefined) throw new ProxyError('ERR_OIDC_ID_TOKEN_INVALID', 500, 'no key set')
    let payload: Record<string, unknown>
    try {
      const algorithms = options.enabledSigningAlgs.length > 0 ? [...options.enabledSigningAlgs] : undefined
      const verified = await verifyWithKeys(token, jwks, {
        ...(hooks.expectedIssuer === undefined ? { issuer: options.issuerUrl } : {}),
        audience: options.clientId,
        clockTolerance: CLOCK_TOLERANCE_SEC,
        maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SEC,
        requiredClaims: ['iat', 'jti'],
        ...(algorithms === undefined ? {} : { algorithms }),
      })
      payload = verified.payload as Record<string, unknown>
      if (hooks.expectedIssuer !== undefined && payload['iss'] !== hooks.expectedIssuer((await ready()).serverMetadata().issuer, payload)) throw new Error('unexpected "iss" claim value')
    } catch (err) {
      throw new ProxyError('ERR_BAD_REQUEST', 400, `logout token rejected: ${(err as Error).message}`, { cause: err })
    }
    return logoutClaims(payload)
  }

  /** The userinfo answer for an access token; a failure is a 502 that says what the IdP answered. */
  async function fetchProfile(config: oidc.Configuration, accessToken: string): Promise<Record<string, unknown>> {
    try {
      return (await oidc.fetchUserInfo(config, accessToken, oidc.skipSubjectCheck)) as Record<string, unknown>
    } catch (err) {
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `userinfo request failed: ${describeFailure(err, 'the userinfo endpoint', [...secrets, accessToken])}`, { cause: err })
    }
  }

  async function sessionFromTokens(config: oidc.Configuration, tokens: oidc.TokenEndpointResponse, claims: Record<string, unknown>, now: number): Promise<Session> {
    let profile: Record<string, unknown> | undefined
    const meta = config.serverMetadata()
    const lookup = async (name: string): Promise<unknown> => {
      const own = getClaim(claims, name)
      if (own !== undefined) return own
      if (options.skipClaimsFromProfileUrl || meta.userinfo_endpoint === undefined || tokens.access_token === undefined) return undefined
      profile ??= await fetchProfile(config, tokens.access_token)
      return getClaim(profile, name)
    }
    const email = claimToString(await lookup(options.emailClaim))
    if (options.emailClaim === 'email' && !options.allowUnverifiedEmail) {
      const verified = getClaim(claims, 'email_verified') ?? (profile === undefined ? undefined : getClaim(profile, 'email_verified'))
      if (verified === false || verified === 'false') {
        throw new ProxyError('ERR_OIDC_CLAIMS', 403, `email ${email ?? ''} is not verified`, { userMessage: 'Your email address is not verified by the identity provider.' })
      }
    }
    const found = email ?? (await hooks.fallbackEmail?.({ claims, accessToken: tokens.access_token, lookup }))
    if (found === undefined) throw new ProxyError('ERR_OIDC_CLAIMS', 500, 'neither the id_token nor the profile URL set an email')
    const groups = claimToGroups(await lookup(options.groupsClaim))
    const preferredUsername = claimToString(await lookup('preferred_username'))
    const sid = claimToString(claims['sid'])
    const additionalClaims = await additionalClaimsOf(lookup)
    const expiresIn = tokens.expires_in
    const expiresOn = hooks.expiresOn?.(tokens, now) ?? (expiresIn === undefined ? undefined : new Date(Math.floor(now / 1000) * 1000 + expiresIn * 1000))
    return {
      createdAt: new Date(Math.floor(now / 1000) * 1000),
      ...(expiresOn === undefined ? {} : { expiresOn }),
      ...(tokens.access_token === undefined ? {} : { accessToken: tokens.access_token }),
      ...(tokens.id_token === undefined ? {} : { idToken: tokens.id_token }),
      ...(tokens.refresh_token === undefined ? {} : { refreshToken: tokens.refresh_token }),
      email: found,
      user: claimToString(claims['sub']) ?? found,
      ...(groups === undefined || groups.length === 0 ? {} : { groups }),
      ...(preferredUsername === undefined ? {} : { preferredUsername }),
      ...(sid === undefined ? {} : { sid }),
      ...(additionalClaims === undefined ? {} : { additionalClaims }),
    }
  }

  /**
   * oauth2-proxy's extractAdditionalClaims: each `additionalClaims` name looked up as the other claims are (ID token,
   * then profile URL; dotted paths), kept as its JSON value. A claim that cannot be read is left out, as there.
   */
  async function additionalClaimsOf(lookup: (name: string) => Promise<unknown>): Promise<Record<string, unknown> | undefined> {
    const names = options.additionalClaims ?? []
    const found: Record<string, unknown> = {}
    for (const name of names) {
      const value = await lookup(name).catch(() => undefined)
      if (value !== undefined) found[name] = value
    }
    return Object.keys(found).length > 0 ? found : undefined
  }

  function hookContext(config: oidc.Configuration, idClaims: Record<string, unknown>, phase: 'redeem' | 'refresh', accessToken: string | undefined, previous?: Session): OidcHookContext {
    const userinfo = async (): Promise<Record<string, unknown> | undefined> => {
      if (accessToken === undefined || config.serverMetadata().userinfo_endpoint === undefined) return undefined
      return fetchProfile(config, accessToken)
    }
    return { idClaims, phase, accessToken, userinfo, verifyJwt: (token) => verifyIdToken(token, undefined), ...(previous === undefined ? {} : { previous }) }
  }

  return {
    name: options.name ?? 'oidc',
    displayName: options.displayName,
    clientId: options.clientId,
    verifyLogoutToken,
    endSessionEndpoint: async () => (await ready()).serverMetadata().end_session_endpoint,
    warmUp: async () => {
      await ready()
    },

    async loginUrl({ redirectUri, state, nonce: askedNonce, codeChallenge, codeChallengeMethod, extraParams }) {
      const nonce = options.fixedNonce ?? (options.skipNonce === true ? undefined : askedNonce)
      const config = await ready()
      const endpoint = config.serverMetadata().authorization_endpoint
      if (endpoint === undefined) throw new ProxyError('ERR_OIDC_DISCOVERY_FAILED', 502, 'the provider publishes no authorization_endpoint')
      const params: Record<string, string> = { redirect_uri: redirectUri, scope: options.scope, client_id: options.clientId, response_type: 'code', state }
      if (nonce !== undefined) params['nonce'] = nonce
      if (options.responseMode !== '') params['response_mode'] = options.responseMode
      if (codeChallenge !== undefined && codeChallengeMethod !== undefined) {
        params['code_challenge'] = codeChallenge
        params['code_challenge_method'] = codeChallengeMethod
      }
      const standard = hooks.authorizationParams?.(params) ?? params
      return buildLoginUrl(endpoint, { standard, extra: extraParams, ...(options.defaultLoginParams === undefined ? {} : { fallback: options.defaultLoginParams }), ...(options.omitLoginParams === undefined ? {} : { omit: options.omitLoginParams }) })
    },

    async redeem(asked: RedeemInput) {
      const input = options.fixedNonce !== undefined ? { ...asked, nonce: options.fixedNonce, nonceBytes: undefined }
        : options.skipNonce === true ? { ...asked, nonce: undefined, nonceBytes: undefined } : asked
      const config = await ready()
      const grant = (c: oidc.Configuration) =>
        oidc.authorizationCodeGrant(c, input.callbackUrl, {
          expectedState: input.state,
          ...(input.nonce === undefined ? {} : { expectedNonce: input.nonce }),
          ...(input.codeVerifier === undefined ? {} : { pkceCodeVerifier: input.codeVerifier }),
          idTokenExpected: true,
        }, { redirect_uri: input.redirectUri, ...hooks.tokenParams })
      const result = await callTokenEndpoint(grant, config, inForm(config))
      if (!result.ok) throw exchangeFailure(result, [...secrets, input.callbackUrl.searchParams.get('code') ?? undefined, input.codeVerifier])
      const tokens = result.value
      if (tokens.id_token === undefined) throw new ProxyError('ERR_OIDC_EXCHANGE_FAILED', 500, 'token response has no id_token')
      const claims = await verifyIdToken(tokens.id_token, input.nonce)
      let session = await sessionFromTokens(config, tokens, claims, input.now)
      const context = hookContext(config, claims, 'redeem', tokens.access_token)
      // oauth2-proxy's callback: a session the provider does not validate is refused with a plain 403. Checked before
      // enriching (oauth2-proxy enriches first) so that a refused user costs no further calls.
      const invalid = await hooks.validate?.(context)
      if (invalid !== undefined) throw new ProxyError('ERR_LOGIN_INVALID_SESSION', 403, `Session validation failed: ${invalid}`)
      if (hooks.enrich !== undefined) session = await hooks.enrich(session, context)
      return input.nonceBytes === undefined ? session : { ...session, nonce: input.nonceBytes }
    },

    async refresh(session, now) {
      if (session.refreshToken === undefined) return { kind: 'not-refreshable' }
      const config = await ready()
      const refreshToken = session.refreshToken
      const result = await callTokenEndpoint((c) => oidc.refreshTokenGrant(c, refreshToken), config, inForm(config))
      if (!result.ok) {
        const failure = refreshFailure(result, [...secrets, refreshToken, session.accessToken])
        if (failure instanceof ProxyError) throw failure
        return failure
      }
      const tokens = result.value
      let next: Session = {
        ...session,
        createdAt: new Date(Math.floor(now / 1000) * 1000),
        ...(tokens.access_token === undefined ? {} : { accessToken: tokens.access_token }),
        ...(tokens.refresh_token === undefined ? {} : { refreshToken: tokens.refresh_token }),
        ...(tokens.expires_in === undefined ? {} : { expiresOn: new Date(now + tokens.expires_in * 1000) }),
      }
      const refreshedExpiry = hooks.expiresOn?.(tokens, now)
      if (refreshedExpiry !== undefined) next = { ...next, expiresOn: refreshedExpiry }
      let idClaims: Record<string, unknown> | undefined
      if (tokens.id_token !== undefined) {
        idClaims = await verifyIdToken(tokens.id_token, undefined)
        const fresh = await sessionFromTokens(config, tokens, idClaims, now)
        next = { ...next, idToken: tokens.id_token, email: fresh.email, user: fresh.user, groups: fresh.groups, preferredUsername: fresh.preferredUsername }
      }
      if (hooks.enrich !== undefined || hooks.validate !== undefined) {
        // Without a new ID token the stored one (verified at sign-in) still describes the user.
        const context = hookContext(config, idClaims ?? jwtPayload(session.idToken), 'refresh', next.accessToken, session)
        // oauth2-proxy validates after every refresh; an invalid session is cleared.
        if ((await hooks.validate?.(context)) !== undefined) return { kind: 'revoked' }
        if (hooks.enrich !== undefined) next = await hooks.enrich(next, context)
      }
      return { kind: 'refreshed', session: next }
    },

    async introspect(token) {
      let config: oidc.Configuration
      try {
        config = await ready()
      } catch (err) {
        return { kind: 'unavailable', reason: (err as Error).message }
      }
      return introspectAt(config, inForm(config), token, secrets)
    },
  }
}

