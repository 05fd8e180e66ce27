import { defineOptions } from '../define.js'

const o = defineOptions('pages')

/** The sign-in and error pages. */
export const pageOptions = {
  customTemplatesDir: o.string('custom-templates-dir', '', 'Directory with replacement sign_in.html and error.html (Go html/template, oauth2-proxy\'s fields) or robots.txt; each optional; checked at start.'),
  customSignInLogo: o.string('custom-sign-in-logo', '', 'Logo on the sign-in page: a file (.svg, .png, .jpg, .jpeg), inlined, or an http(s):// URL; "-" hides it; empty shows gatehouse\'s.'),
  banner: o.string('banner', '', 'HTML shown above the sign-in button; empty describes the allowed email domains, "-" shows nothing.'),
  footer: o.string('footer', '', 'HTML footer of the pages; "-" hides it (and the version).'),
  displayHtpasswdForm: o.bool('display-htpasswd-form', true, 'Show the user name and password form on the sign-in page when --htpasswd-file is set (no effect without it).'),
  showDebugOnError: o.bool('show-debug-on-error', false, 'Show the internal error message on error pages (never in production).'),
}
