import type { Config, ConfigKey } from './shape.js'

/** One problem, attached to the option to change (the shape of cross-checks.ts' CrossProblem). */
interface Problem {
  key: ConfigKey
  message: string
}

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
  return out
}
