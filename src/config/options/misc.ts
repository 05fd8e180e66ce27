import { defineOptions } from '../define.js'
import { redirectUrlProblem } from '../formats.js'

const o = defineOptions('misc')

/** Signature algorithms oauth2-proxy accepts in --signature-key. */
const SIGNATURE_ALGS = ['md4', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'ripemd160']

function signatureKeyProblem(value: string): string | undefined {
  if (value === '') return undefined
  const [algo = '', secret = ''] = value.split(/:(.*)/s)
  if (!SIGNATURE_ALGS.includes(algo) || secret === '') return `expected algorithm:secret with an algorithm among ${SIGNATURE_ALGS.join(', ')}`
  return undefined
}

/** The OAuth callback URL, state encoding and request parsing. */
export const miscOptions = {
  redirectUrl: o.string('redirect-url', '', 'OAuth callback URL registered at the provider; a path alone is completed from the request host.', {
    check: redirectUrlProblem,
  }),
  relativeRedirectUrl: o.bool('relative-redirect-url', false, 'Send a host-less --redirect-url to the provider as it is, without adding the request host.'),
  encodeState: o.bool('encode-state', false, 'Base64url-encode the whole OAuth state parameter (for providers that mangle it).'),
  allowQuerySemicolons: o.bool('allow-query-semicolons', false, 'Read ";" in query strings as a pair separator like "&" (Go\'s http.AllowQuerySemicolons); otherwise pairs holding one are dropped and the sign-in endpoints answer an error page, as in oauth2-proxy.'),
  signatureKey: o.string('signature-key', '', 'Deprecated: algorithm:secret for signing upstream requests with a GAP-Signature header.', {
    secret: true,
    check: signatureKeyProblem,
  }),
}
