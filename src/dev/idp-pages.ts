// HTML pages of the development OpenID provider: login form, logout confirmation, signed-out and
// error pages. Every page carries a banner saying it is for development and tests only.
import { escapeHtml } from '../http/html.js'
import type { DevUser } from './idp-types.js'

const STYLE = `body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;color:#111827}
.banner{background:#b91c1c;color:#fff;padding:.5rem 1rem;text-align:center;font-weight:600}
main{max-width:24rem;margin:2rem auto;background:#fff;border:1px solid #d1d5db;border-radius:8px;padding:1.5rem}
h1{font-size:1.25rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #9ca3af;border-radius:4px;font:inherit}
button{margin-top:1rem;width:100%;padding:.6rem;border:0;border-radius:4px;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.error{color:#b91c1c;font-weight:600}.meta{color:#4b5563;font-size:.85rem}
table{width:100%;border-collapse:collapse;margin-top:1rem;font-size:.85rem}td,th{border:1px solid #e5e7eb;padding:.25rem .4rem;text-align:left}`

const BANNER = 'Development identity provider: for development and tests only, never for production.'

function page(title: string, body: string, head = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>${head}
</head>
<body>
<div class="banner" role="note">${escapeHtml(BANNER)}</div>
<main>
${body}
</main>
</body>
</html>
`
}

/** What the login page shows. */
export interface LoginPageInput {
  action: string
  clientId: string
  scope: string
  login?: string
  error?: string
  users?: readonly DevUser[]
}

/** The login form: fields `login` and `password`, posted back to `action`. */
export function loginPage(input: LoginPageInput): string {
  const error = input.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(input.error)}</p>\n`
  const users =
    input.users === undefined || input.users.length === 0
      ? ''
      : `<table><caption class="meta">Demo users</caption><tr><th>login</th><th>password</th><th>groups</th></tr>${input.users
          .map(
            (u) =>
              `<tr><td>${escapeHtml(u.preferredUsername)}</td><td>${escapeHtml(u.password)}</td><td>${escapeHtml(u.groups.join(', '))}</td></tr>`,
          )
          .join('')}</table>`
  return page(
    'Sign in: development IdP',
    `<h1>Sign in</h1>
${error}<form method="post" action="${escapeHtml(input.action)}" id="login-form">
<label for="login">Username or email</label>
<input type="text" id="login" name="login" value="${escapeHtml(input.login ?? '')}" autocomplete="username" autofocus required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" id="submit">Sign in</button>
</form>
<p class="meta">Client <code>${escapeHtml(input.clientId)}</code> asks for <code>${escapeHtml(input.scope)}</code>.</p>
${users}`,
  )
}

/**
 * The logout confirmation. oidc-provider hands over its form (action and xsrf token); a hidden
 * `logout=yes` is added so the page confirms by itself, by script in a browser or by a plain POST.
 */
export function logoutPage(providerForm: string): string {
  const form = providerForm.replace('</form>', '<input type="hidden" name="logout" value="yes"/><button type="submit">Sign out</button></form>')
  const script = `<script>document.addEventListener('DOMContentLoaded',function(){document.forms[0].submit()})</script>`
  return page('Signing out: development IdP', `<h1>Signing out</h1>\n${form}`, script)
}

/** Shown after a logout that has no post-logout redirect. */
export function signedOutPage(clientId: string | undefined): string {
  const who = clientId === undefined ? '' : ` from <code>${escapeHtml(clientId)}</code>`
  return page('Signed out: development IdP', `<h1>Signed out</h1>\n<p>You signed out${who}.</p>`)
}

/** The error page for provider and interaction errors. */
export function errorPage(error: string, description: string | undefined): string {
  const detail = description === undefined ? '' : `<p>${escapeHtml(description)}</p>`
  return page('Error: development IdP', `<h1>Error</h1>\n<p class="error" id="error">${escapeHtml(error)}</p>\n${detail}`)
}
