import { defineOptions } from '../define.js'
import { httpUrlCheck } from '../formats.js'

const o = defineOptions('headers')

/** RFC 9110 token: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function headerNameProblem(value: string): string | undefined {
  return HEADER_NAME.test(value) ? undefined : 'expected an HTTP header name such as X-Gatehouse-Assertion'
}

const absoluteUrlProblem = httpUrlCheck('https://auth.example.com')

/** gatehouse's signed identity assertion (a JWT for the upstream) and the keys that sign it; oauth2-proxy has none of these. */
export const assertionOptions = {
  setIdentityAssertion: o.bool('set-identity-assertion', false, 'gatehouse only: send the upstream (and /oauth2/auth 202 answers) a signed JWT of the user in --assertion-header; its keys are published at /.well-known/jwks.json. A route\'s identityAssertion (--alpha-config) turns it on or off for that route; a route that turns it on makes the other --assertion-* options apply too.'),
  assertionHeader: o.string('assertion-header', 'X-Gatehouse-Assertion', 'gatehouse only: the header that carries the identity assertion. A client\'s own copy is always removed.', {
    check: headerNameProblem,
  }),
  assertionKeyFile: o.string('assertion-key-file', '', 'gatehouse only: PEM file of one or more private keys (EC P-256, Ed25519 or RSA); the first signs once the file is --assertion-key-publish-ahead old, all are published. Empty: a key is generated at start-up.'),
  assertionSigningAlg: o.choice('assertion-signing-alg', ['ES256', 'EdDSA', 'RS256'], 'ES256', 'gatehouse only: the algorithm of the key generated when --assertion-key-file is empty (a file\'s keys sign with the algorithm of their type).'),
  assertionTtl: o.duration('assertion-ttl', '5m', 'gatehouse only: lifetime of an identity assertion (exp - iat), at most 10m.'),
  assertionKeyPublishAhead: o.duration('assertion-key-publish-ahead', '10m', 'gatehouse only: how long a new first key of --assertion-key-file is published before it signs (counted from the file\'s modification time).'),
  assertionIssuer: o.string('assertion-issuer', '', 'gatehouse only: the assertion\'s iss claim; default the origin of an absolute --redirect-url, else the origin the request came to.', {
    check: absoluteUrlProblem,
  }),
  assertionAudience: o.string('assertion-audience', '', 'gatehouse only: the assertion\'s aud claim for every upstream; default the upstream\'s origin (for /oauth2/auth: the original request\'s origin). A route\'s own identityAssertion audience comes first.'),
}
