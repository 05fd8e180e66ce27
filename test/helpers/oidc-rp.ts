// A minimal relying party for tests of the development IdP: a local HTTP server whose `/start`
// redirects to an authorization URL and whose `/callback` records what arrives (query or form_post),
// plus openid-client 6 helpers to build the request and redeem the code.
import { createServer } from 'node:http'
import * as oidc from 'openid-client'
import { listenOnLoopback } from './loopback-server.js'

/** One request that reached the callback. */
export interface CallbackHit {
  method: string
  /** Absolute URL, query included. */
  url: string
  /** Raw body (form_post), '' for GET. */
  body: string
}

/** A running test relying party. */
export interface TestRp {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** `<url>/callback`: use as redirect_uri. */
  callbackUrl: string
  hits: CallbackHit[]
  /** A URL on this RP that redirects (302) to `target`. */
  startUrl(target: URL | string): string
  /** The callback hit as a Request openid-client can redeem (GET with query, or POST with the form). */
  callbackRequest(hit?: CallbackHit): Request
  close(): Promise<void>
}

/** Starts the relying party on 127.0.0.1, port chosen by the OS. */
export async function startTestRp(): Promise<TestRp> {
  const hits: CallbackHit[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === '/start') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end()
      return
    }
    if (url.pathname === '/callback') {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        hits.push({ method: req.method ?? 'GET', url: `${base}${req.url ?? '/'}`, body: Buffer.concat(chunks).toString('utf8') })
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>callback</title><p id="done">callback received</p>')
      })
      return
    }
    res.writeHead(404).end()
  })
  const listening = await listenOnLoopback(server)
  const base = listening.origin
  return {
    url: base,
    callbackUrl: `${base}/callback`,
    hits,
    startUrl: (target) => `${base}/start?to=${encodeURIComponent(String(target))}`,
    callbackRequest(hit = hits.at(-1)) {
      if (hit === undefined) throw new Error('no request reached the callback')
      return hit.method === 'POST'
        ? new Request(hit.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: hit.body })
        : new Request(hit.url)
    },
    close: listening.close,
  }
}

/** Client settings for `discover`. */
export interface RpClient {
  clientId: string
  clientSecret?: string
  authMethod: 'client_secret_basic' | 'client_secret_post' | 'none'
}

/** openid-client discovery against an http issuer (allowInsecureRequests), with the client's auth method. */
export async function discover(issuer: string, client: RpClient): Promise<oidc.Configuration> {
  const auth =
    client.authMethod === 'none'
      ? oidc.None()
      : client.authMethod === 'client_secret_post'
        ? oidc.ClientSecretPost(client.clientSecret)
        : oidc.ClientSecretBasic(client.clientSecret)
  return oidc.discovery(new URL(issuer), client.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] })
}

/** An authorization request and the secrets needed to redeem its answer. */
export interface AuthRequest {
  url: URL
  state: string
  nonce: string
  verifier: string
}

/** Builds an authorization URL with S256 PKCE, state and nonce; `params` adds or overrides parameters. */
export async function authRequest(config: oidc.Configuration, redirectUri: string, params: Record<string, string> = {}): Promise<AuthRequest> {
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile groups',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  })
  return { url, state, nonce, verifier }
}

/** Redeems the code of `callback` with the checks of `request`. */
export async function redeem(
  config: oidc.Configuration,
  callback: Request,
  request: AuthRequest,
): Promise<Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>> {
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  })
}
