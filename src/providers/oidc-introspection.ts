import * as oidc from 'openid-client'
import { callTokenEndpoint, describeFailure, errorCode } from './oidc-token-call.js'

/** What the introspection endpoint said about a token (RFC 7662 §2.2), or that it could not be asked. */
export type IntrospectionAnswer =
  | { kind: 'active'; claims: Readonly<Record<string, unknown>> }
  | { kind: 'inactive' }
  | { kind: 'unavailable'; reason: string }

/**
 * The second try in the form only after the endpoint refused the client's credentials (401 or `invalid_client`):
 * a timeout or a server error is not retried, so an endpoint that hangs costs one provider timeout, not two.
 */
function refusedCredentials(err: unknown): boolean {
  const e = err as { code?: unknown; status?: unknown }
  if (e?.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE') return true
  return errorCode(err) === 'invalid_client' || (e?.code === 'OAUTH_RESPONSE_BODY_ERROR' && e.status === 401)
}

/**
 * Asks `config`'s introspection endpoint about `token` as the client (the same authentication as the token calls:
 * HTTP Basic encoded as Go does, then once in the form when that is refused). `secrets` never reach the reason.
 */
export async function introspectAt(
  config: oidc.Configuration,
  inForm: (() => oidc.Configuration) | undefined,
  token: string,
  secrets: ReadonlyArray<string | undefined>,
): Promise<IntrospectionAnswer> {
  if (config.serverMetadata().introspection_endpoint === undefined) {
    return { kind: 'unavailable', reason: 'the provider publishes no introspection_endpoint: set --introspection-url' }
  }
  const result = await callTokenEndpoint((c) => oidc.tokenIntrospection(c, token, { token_type_hint: 'access_token' }), config, inForm, refusedCredentials)
  if (!result.ok) {
    // RFC 7009's error, which oidc-provider also answers for JWTs it will not introspect: a statement about the
    // token (the provider vouches for no such token), not an outage.
    if (errorCode(result.error) === 'unsupported_token_type') return { kind: 'inactive' }
    return { kind: 'unavailable', reason: describeFailure(result.error, 'the introspection endpoint', [...secrets, token]) }
  }
  const answer = result.value as Record<string, unknown>
  // RFC 7662 §2.2: anything but the JSON boolean true is an inactive token.
  return answer['active'] === true ? { kind: 'active', claims: answer } : { kind: 'inactive' }
}
