import { defineOptions } from '../define.js'
import { ipOrCidrProblem, regexProblem, skipAuthRouteProblem, whitelistDomainProblem } from '../formats.js'

const o = defineOptions('authorization')

/** Who may pass, which routes are public and where users may be sent after login. */
export const authorizationOptions = {
  emailDomains: o.list('email-domain', 'Email domains allowed to sign in ("*" = any; ".example.com" or "*.example.com" = subdomains).'),
  authenticatedEmailsFile: o.string('authenticated-emails-file', '', 'File of allowed email addresses, one per line.'),
  htpasswdFile: o.string('htpasswd-file', '', 'htpasswd file (bcrypt or SHA) of users who may sign in with a password.'),
  htpasswdUserGroups: o.list('htpasswd-user-group', 'Groups given to users who signed in through --htpasswd-file.'),
  whitelistDomains: o.list('whitelist-domain', 'Hosts allowed as post-login redirect targets (".d" or "*.d" for subdomains, host:port or host:*).', {
    check: whitelistDomainProblem,
  }),
  skipAuthRoutes: o.list('skip-auth-route', 'Public routes as [METHOD=|METHOD!=|!=]path-regex; a regex containing "=" needs a leading "=".', {
    check: skipAuthRouteProblem,
  }),
  skipAuthRegex: o.list('skip-auth-regex', 'Deprecated: path regexes that skip authentication for every method (use --skip-auth-route).', {
    check: regexProblem,
    replacedBy: 'skip_auth_routes',
  }),
  apiRoutes: o.list('api-route', 'Regexes on the request path and query marking API routes: 401 instead of a login redirect.', { check: regexProblem }),
  skipAuthPreflight: o.bool('skip-auth-preflight', false, 'Let CORS preflight (OPTIONS) requests through without authentication.'),
  trustedIps: o.list('trusted-ip', 'Client IPs or CIDRs let through without authentication (use with care).', { check: ipOrCidrProblem }),
  skipProviderButton: o.bool('skip-provider-button', false, 'Go straight to the provider instead of showing the sign-in page.'),
  forceJsonErrors: o.bool('force-json-errors', false, 'Answer 401 and 403 with JSON instead of pages or login redirects.'),
}
