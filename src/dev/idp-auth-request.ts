// Rewrites of GET authorization requests before oidc-provider sees them, for two behaviours the
// development IdP promises and oidc-provider 9 does not have:
//
// 1. PKCE `plain` (oauth2-proxy's --code-challenge-method=plain). oidc-provider implements only S256.
//    A plain challenge c requires verifier = c; the S256 challenge SHA-256(c) requires
//    SHA-256(verifier) = SHA-256(c), which holds exactly when verifier = c. Same semantics.
// 2. A refresh token whenever offline_access is asked. oidc-provider drops offline_access unless
//    prompt contains consent (OIDC Core §11), so `prompt=consent` is added when no prompt is given;
//    the consent itself is granted automatically. An explicit prompt without consent is left alone.
import { createHash } from 'node:crypto'

/** Returns `url` rewritten as above when it is a GET authorization request, unchanged otherwise. */
export function rewriteAuthorizationUrl(url: string, authorizationPath: string): string {
  const queryStart = url.indexOf('?')
  if (queryStart === -1 || url.slice(0, queryStart) !== authorizationPath) return url
  const params = new URLSearchParams(url.slice(queryStart + 1))
  let changed = false
  const challenge = params.get('code_challenge')
  const method = params.get('code_challenge_method')
  // RFC 7636 §4.3: a challenge without a method is plain.
  if (challenge !== null && (method === null || method === 'plain')) {
    params.set('code_challenge', createHash('sha256').update(challenge, 'ascii').digest('base64url'))
    params.set('code_challenge_method', 'S256')
    changed = true
  }
  const scopes = (params.get('scope') ?? '').split(' ')
  if (scopes.includes('offline_access') && !params.has('prompt')) {
    params.set('prompt', 'consent')
    changed = true
  }
  return changed ? `${authorizationPath}?${params.toString()}` : url
}
