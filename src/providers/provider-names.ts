/** The `--provider` types gatehouse implements, in the order the start-up error lists them (no imports: config reads it). */
export const IMPLEMENTED_PROVIDERS: readonly string[] = ['oidc', 'keycloak-oidc', 'entra-id', 'azure', 'adfs', 'login.gov', 'cidaas', 'google', 'gitlab', 'github', 'keycloak', 'bitbucket', 'digitalocean', 'facebook', 'linkedin', 'nextcloud', 'sourcehut']
