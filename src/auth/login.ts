import { createHash, randomBytes } from 'node:crypto'

/** A login in progress: what goes into the CSRF cookie and what goes to the IdP. */
export interface LoginStart {
  stateNonce: Buffer
  oidcNonce: Buffer
  codeVerifier: string | undefined
  codeChallenge: string | undefined
  /** The `state` parameter: `<hash of stateNonce>:<redirect>`, optionally base64url-encoded whole. */
  state: string
  /** base64url(SHA-256(oidcNonce)): the `nonce` sent to the IdP. */
  nonceHash: string
}

/** base64url without padding of SHA-256(bytes): how oauth2-proxy turns its nonces into request parameters. */
export function hashToken(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url')
}

/** Starts a login (oauth2-proxy §3.6): 32-byte state and OIDC nonces, and a 96-byte PKCE verifier when asked. */
export function beginLogin(options: { redirect: string; codeChallengeMethod: string; encodeState: boolean }): LoginStart {
  const stateNonce = randomBytes(32)
  const oidcNonce = randomBytes(32)
  let codeVerifier: string | undefined
  let codeChallenge: string | undefined
  if (options.codeChallengeMethod !== '') {
    codeVerifier = randomBytes(96).toString('base64url')
    codeChallenge = options.codeChallengeMethod === 'S256' ? createHash('sha256').update(codeVerifier).digest('base64url') : codeVerifier
  }
  const plain = `${hashToken(stateNonce)}:${options.redirect}`
  return {
    stateNonce,
    oidcNonce,
    codeVerifier,
    codeChallenge,
    state: options.encodeState ? Buffer.from(plain).toString('base64url') : plain,
    nonceHash: hashToken(oidcNonce),
  }
}

/** Splits a returned `state` into the nonce hash and the redirect; undefined when it has no `:`. */
export function parseState(state: string, encodeState: boolean): { nonceHash: string; redirect: string } | undefined {
  let plain = state
  if (encodeState) {
    if (!/^[A-Za-z0-9_-]*$/.test(state)) return undefined
    plain = Buffer.from(state, 'base64url').toString('utf8')
  }
  const i = plain.indexOf(':')
  if (i <= 0) return undefined
  return { nonceHash: plain.slice(0, i), redirect: plain.slice(i + 1) }
}
