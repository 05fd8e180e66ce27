// The smallest provider block an alpha file needs to load (an OpenID Connect provider no test signs in with), shared
// by the unit tests that load alpha files.

/** A `providers:` list with one oidc provider at https://idp.example.com/. */
export const ALPHA_PROVIDER = `providers:
  - id: idp
    provider: oidc
    clientID: app
    clientSecret: s3cret
    oidcConfig:
      issuerURL: https://idp.example.com/
`
