import { defineOptions } from '../define.js'

const o = defineOptions('provider')

/** Options that only one provider type reads. */
export const providerSpecificOptions = {
  azureTenant: o.string('azure-tenant', 'common', 'azure: tenant used in the login and token URLs.'),
  azureGraphGroupField: o.string('azure-graph-group-field', 'id', 'azure: Microsoft Graph group field used as the group name (id or displayName).'),
  entraIdAllowedTenants: o.list('entra-id-allowed-tenant', 'entra-id: tenant IDs whose users may sign in; empty allows every tenant.'),
  entraIdFederatedTokenAuth: o.bool('entra-id-federated-token-auth', false, 'entra-id: authenticate with the workload identity token (AZURE_FEDERATED_TOKEN_FILE) instead of a secret.'),
  bitbucketTeam: o.string('bitbucket-team', '', 'bitbucket: require membership of this team.'),
  bitbucketRepository: o.string('bitbucket-repository', '', 'bitbucket: require contributor access to this repository.'),
  githubOrg: o.string('github-org', '', 'github: require membership of this organisation.'),
  githubTeam: o.string('github-team', '', 'github: comma-separated team slugs (within --github-org, or org:slug) of which one is required.'),
  githubRepo: o.string('github-repo', '', 'github: require access to this owner/repo.'),
  githubToken: o.string('github-token', '', 'github: token used to check repository collaborators.', { secret: true }),
  githubUsers: o.list('github-user', 'github: logins always allowed, whatever their organisations.'),
  gitlabGroups: o.list('gitlab-group', 'gitlab: allowed groups (used instead of --allowed-group).'),
  gitlabProjects: o.list('gitlab-project', 'gitlab: projects as group/project[=access level], one of which is required.'),
  googleGroups: o.list('google-group', 'google: allowed Google Workspace groups (needs Admin SDK credentials); the old cfg key google_group is still read.'),
  googleAdminEmail: o.string('google-admin-email', '', 'google: administrator the service account acts as for the Admin SDK.'),
  googleServiceAccountJson: o.string('google-service-account-json', '', 'google: path of the service-account JSON key.'),
  googleUseApplicationDefaultCredentials: o.bool('google-use-application-default-credentials', false, 'google: use Application Default Credentials (Workload Identity) with impersonation.'),
  googleTargetPrincipal: o.string('google-target-principal', '', 'google: service account impersonated with Application Default Credentials; empty detects it.'),
  googleUseOrganizationId: o.bool('google-use-organization-id', false, 'google: put the Admin SDK organisation ID into preferred_username.'),
  googleAdminApiUserScope: o.string('google-admin-api-user-scope', 'readonly', 'google: Admin SDK scope for looking users up: readonly, user or cloud.'),
  keycloakGroups: o.list('keycloak-group', 'keycloak (legacy provider): allowed groups (used instead of --allowed-group).'),
}
