// An app behind gatehouse that trusts only the signed identity assertion, never X-Forwarded-* headers.
// Run: npm install jose && GATEHOUSE_URL=https://auth.example.com APP_AUDIENCE=http://app.internal:8080 node verify.mjs
import { createServer } from 'node:http'
import { createRemoteJWKSet, jwtVerify } from 'jose'

// gatehouse's public URL: the assertion's `iss`, and where its keys are published.
const GATEHOUSE_URL = process.env.GATEHOUSE_URL ?? 'https://auth.example.com'
// This app's origin as gatehouse forwards to it (its --upstream origin, or --assertion-audience).
const APP_AUDIENCE = process.env.APP_AUDIENCE ?? 'http://app.internal:8080'
const PORT = Number(process.env.PORT ?? 8080)
const HEADER = 'x-gatehouse-assertion'

// Fetched once, cached, refetched when a token names a key it has not seen (a rotated key).
const keys = createRemoteJWKSet(new URL('/.well-known/jwks.json', GATEHOUSE_URL))

/** The user an assertion names, or an Error saying why it is refused. */
export async function verifyAssertion(token) {
  const { payload } = await jwtVerify(token, keys, {
    issuer: GATEHOUSE_URL,
    audience: APP_AUDIENCE,
    // Only the asymmetric algorithms gatehouse signs with: refuses `none` and HS256 made with the public key.
    algorithms: ['ES256', 'EdDSA', 'RS256'],
    requiredClaims: ['sub', 'exp', 'iat'],
    clockTolerance: 30,
  })
  return payload
}

createServer(async (req, res) => {
  const token = req.headers[HEADER]
  if (typeof token !== 'string') {
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no identity assertion' }))
    return
  }
  try {
    const user = await verifyAssertion(token)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: user.sub, email: user.email, groups: user.groups }))
  } catch (err) {
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.code ?? 'invalid assertion' }))
  }
}).listen(PORT, process.env.HOST ?? '127.0.0.1', () => console.log(`listening on ${PORT}`))
