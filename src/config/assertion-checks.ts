import { getHashes } from 'node:crypto'
import type { Config, CrossProblem } from './shape.js'

/** The longest identity assertion gatehouse signs, as Google IAP's: a leaked one is replayable for no longer. */
const MAX_ASSERTION_TTL_MS = 10 * 60_000

/** Problems of the identity assertion and --signature-key options that span more than one value. */
export function assertionProblems(c: Config): CrossProblem[] {
  const out: CrossProblem[] = []
  if (c.assertionTtl > MAX_ASSERTION_TTL_MS) {
    out.push({ key: 'assertionTtl', message: `--assertion-ttl is ${c.assertionTtl / 1000}s, past the 10m an assertion may live: set it to 10m or less (default 5m)` })
  } else if (c.assertionTtl < 10_000) {
    out.push({ key: 'assertionTtl', message: `--assertion-ttl is ${c.assertionTtl / 1000}s: an assertion must live at least 10s so that it reaches the upstream valid (default 5m)` })
  }
  const algo = c.signatureKey.split(':')[0] ?? ''
  if (c.signatureKey !== '' && !getHashes().includes(algo) && algo !== '' && /^(md4|md5|sha1|sha224|sha256|sha384|sha512|ripemd160)$/.test(algo)) {
    out.push({ key: 'signatureKey', message: `--signature-key uses ${algo}, which this Node.js build (OpenSSL 3) cannot compute: use sha256:<secret> and the same at the upstream` })
  }
  return out
}
