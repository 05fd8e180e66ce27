import { defineOptions } from '../define.js'

const o = defineOptions('pages')

/** The sign-in and error pages. */
export const pageOptions = {
  customTemplatesDir: o.string('custom-templates-dir', '', 'Directory with replacement sign_in.html, error.html or robots.txt files.'),
  customSignInLogo: o.string('custom-sign-in-logo', '', 'Logo on the sign-in page: a file (.svg, .png, .jpg) or an https:// URL; "-" hides it.'),
  banner: o.string('banner', '', 'HTML shown above the sign-in button; empty describes the allowed email domains, "-" shows nothing.'),
  footer: o.string('footer', '', 'HTML footer of the pages; "-" hides it (and the version).'),
  displayHtpasswdForm: o.bool('display-htpasswd-form', true, 'Show the user name and password form on the sign-in page when --htpasswd-file is set (no effect without it).'),
  showDebugOnError: o.bool('show-debug-on-error', false, 'Show the internal error message on error pages (never in production).'),
}
