import type { Config, CrossProblem as Problem } from './shape.js'

/** Start-up rules of the plain OAuth2 providers (github, keycloak, bitbucket, …): what each needs to work at all. */
export function plainOAuth2Problems(c: Config): Problem[] {
  const out: Problem[] = []
  if (c.provider === 'github') {
    if (c.githubOrg === '') {
      const bare = c.githubTeam.split(',').map((t) => t.trim()).filter((t) => t !== '' && !t.includes(':'))
      if (bare.length > 0) {
        out.push({ key: 'githubTeam', message: `--github-team=${bare.join(',')} names a team without its organization: set --github-org, or write each team as org:team-slug` })
      }
    }
    if (c.githubRepo !== '' && !/^[^/\s]+\/[^/\s]+$/.test(c.githubRepo)) {
      out.push({ key: 'githubRepo', message: `--github-repo must be owner/repository (e.g. octo-org/wiki), not "${c.githubRepo}"` })
    }
  }
  if (c.provider === 'keycloak') {
    // oauth2-proxy's defaults are placeholders on keycloak.org: without the realm's URLs no sign-in can work.
    const realm = 'https://<host>/realms/<realm>/protocol/openid-connect'
    if (c.loginUrl === '') out.push({ key: 'loginUrl', message: `provider "keycloak" needs --login-url: the realm's authorization endpoint, ${realm}/auth` })
    if (c.redeemUrl === '') out.push({ key: 'redeemUrl', message: `provider "keycloak" needs --redeem-url: the realm's token endpoint, ${realm}/token` })
    if (c.validateUrl === '') out.push({ key: 'validateUrl', message: `provider "keycloak" needs --validate-url: the realm's userinfo endpoint, ${realm}/userinfo` })
  }
  if (c.provider === 'nextcloud') {
    // oauth2-proxy has no Nextcloud defaults: every instance is self-hosted.
    const base = 'https://<your nextcloud>'
    if (c.loginUrl === '') out.push({ key: 'loginUrl', message: `provider "nextcloud" needs --login-url: ${base}/apps/oauth2/authorize` })
    if (c.redeemUrl === '') out.push({ key: 'redeemUrl', message: `provider "nextcloud" needs --redeem-url: ${base}/apps/oauth2/api/v1/token` })
    if (c.validateUrl === '') out.push({ key: 'validateUrl', message: `provider "nextcloud" needs --validate-url: ${base}/ocs/v2.php/cloud/user?format=json` })
  }
  return out
}
