import { defineOptions } from '../define.js'

const o = defineOptions('headers')

/** Identity headers sent to the upstream and returned to an auth_request caller. */
export const headerOptions = {
  passBasicAuth: o.bool('pass-basic-auth', true, 'Send X-Forwarded-User/Email/Groups/Preferred-Username upstream, and Authorization: Basic when --basic-auth-password is set.'),
  passUserHeaders: o.bool('pass-user-headers', true, 'Send X-Forwarded-User/Email/Groups/Preferred-Username upstream.'),
  passAccessToken: o.bool('pass-access-token', false, 'Send the access token upstream in X-Forwarded-Access-Token (and X-Auth-Request-Access-Token with --set-xauthrequest).'),
  passAuthorizationHeader: o.bool('pass-authorization-header', false, 'Send "Authorization: Bearer <ID token>" upstream.'),
  setXauthrequest: o.bool('set-xauthrequest', false, 'Return X-Auth-Request-User/Email/Groups/Preferred-Username response headers (for nginx auth_request).'),
  setBasicAuth: o.bool('set-basic-auth', false, 'Return "Authorization: Basic" with the user and --basic-auth-password as a response header.'),
  setAuthorizationHeader: o.bool('set-authorization-header', false, 'Return "Authorization: Bearer <ID token>" as a response header.'),
  preferEmailToUser: o.bool('prefer-email-to-user', false, 'Use the email address as the user name in X-Forwarded-User and Basic auth.'),
  basicAuthPassword: o.string('basic-auth-password', '', 'Password put in the Basic Authorization headers.', { secret: true }),
  skipAuthStripHeaders: o.bool('skip-auth-strip-headers', true, 'Remove client-sent copies of every identity header gatehouse sets, so they cannot be spoofed.'),
}
