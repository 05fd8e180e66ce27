import type { Config } from '../config/schema.js'
import type { Logger } from '../log/logger.js'
import { parseGitlabProject, projectGroup, withReadApi } from './gitlab-projects.js'
import { createGitlabProvider } from './gitlab.js'
import type { OidcProviderOptions } from './oidc.js'
import type { Provider } from './provider.js'

/**
 * Internal, for tests only: the base URL used instead of the GitLab instance's origin for /oauth/userinfo and /api/v4.
 * oauth2-proxy has no such option; it is deliberately not a flag.
 */
export const GITLAB_URL_ENV = 'GATEHOUSE_TEST_GITLAB_URL'

/** oauth2-proxy's gitlab default scope. */
const GITLAB_SCOPE = 'openid email'

/**
 * `--provider=gitlab` from the config. `--gitlab-group` replaces `--allowed-group` (oauth2-proxy's setAllowedGroups;
 * the config check refuses --allowed-group with gitlab) and each `--gitlab-project` adds `project:<name>` to it.
 */
export function createGitlabFromConfig(
  config: Config,
  oidcOptions: OidcProviderOptions,
  deps: { log: Logger; env: Readonly<Record<string, string | undefined>> },
): { provider: Provider; allowedGroups: readonly string[] } {
  const projects = config.gitlabProjects.map(parseGitlabProject)
  const scope = config.scope !== '' ? config.scope : GITLAB_SCOPE
  // oauth2-proxy builds both URLs from the login URL's origin; with discovery that is the issuer's GitLab instance.
  const origin = new URL(config.skipOidcDiscovery && config.loginUrl !== '' ? config.loginUrl : config.oidcIssuerUrl).origin
  const provider = createGitlabProvider(
    { ...oidcOptions, scope: projects.length > 0 ? withReadApi(scope) : scope },
    { projects, baseUrl: deps.env[GITLAB_URL_ENV] ?? origin, allowUnverifiedEmail: config.insecureOidcAllowUnverifiedEmail, log: deps.log },
  )
  return { provider, allowedGroups: [...config.gitlabGroups, ...projects.map(projectGroup)] }
}
