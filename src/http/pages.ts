import { STATUS_CODES } from 'node:http'
import { FORM_TOKEN_FIELD } from '../cookies/form-token.js'
import type { ErrorData, PageTemplates, SignInData } from '../pages/data.js'
import { safeHtml } from '../pages/template/values.js'
import { escapeHtml, layout } from './html.js'

/** What the sign-in and error pages need to know; built once from Config by app.ts. */
export interface PageOptions {
  proxyPrefix: string
  providerName: string
  /** Raw HTML shown above the button; `-` hides it; empty = the default based on email domains. */
  banner: string
  /** Raw HTML footer; `-` hides it; empty = gatehouse and its version. */
  footer: string
  emailDomains: readonly string[]
  version: string
  showDebugOnError: boolean
  /** Show the user name / password form (`--htpasswd-file` set and `--display-htpasswd-form`). */
  customLogin: boolean
  /** The logo as HTML (`--custom-sign-in-logo`, see pages/logo.ts); empty shows none. */
  logoHtml: string
  /** Users' `sign_in.html` / `error.html` from `--custom-templates-dir`; a missing one uses the built-in page. */
  templates?: PageTemplates
}

/** A provider the sign-in page offers: its id (the `provider` parameter) and its button label. */
export interface ProviderChoice {
  id: string
  name: string
}

/** Short reasons for the statuses gatehouse answers with; the title is Go's `http.StatusText`, as oauth2-proxy shows. */
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'The request could not be understood.',
  401: 'You need to be logged in to access this resource.',
  403: 'You do not have permission to access this resource.',
  404: 'The page you were looking for could not be found.',
  500: 'Oops! Something went wrong. For more information contact your server administrator.',
  502: 'The application behind this proxy could not be reached.',
  503: 'The service is unavailable right now. Please try again in a moment.',
  504: 'The application behind this proxy took too long to answer.',
}

/** Where Node's status text differs from Go's `http.StatusText`, which oauth2-proxy's `.Title` is. */
const GO_STATUS_TEXT: Readonly<Record<number, string>> = { 413: 'Request Entity Too Large', 414: 'Request URI Too Long', 416: 'Requested Range Not Satisfiable' }

/** A link target the error page may offer: a local path or an http(s) URL, else `/`. */
function backTarget(redirect: string): string {
  return /^\/(?![/\\])/.test(redirect) || /^https?:\/\/[^/\\]/i.test(redirect) ? redirect : '/'
}

/**
 * Inserts the hidden token field right after the opening tag of every `<form>` whose method is POST, so a custom
 * template written for oauth2-proxy (which has no token) still posts it. A page that names the field already (a
 * template using `{{.CSRFToken}}`) is left as it is.
 */
export function withFormToken(html: string, token: string): string {
  if (new RegExp(`name\\s*=\\s*["']?${FORM_TOKEN_FIELD}\\b`, 'i').test(html)) return html
  const field = `<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${escapeHtml(token)}">`
  return html.replace(/<form\b[^>]*>/gi, (tag) => (/\smethod\s*=\s*["']?post\b/i.test(tag) ? `${tag}${field}` : tag))
}

/** Renders the sign-in and error pages: the built-in ones, or the user's templates where given. */
export function createPages(options: PageOptions) {
  const prefix = escapeHtml(options.proxyPrefix)
  const footer = options.footer === '-' ? '' : options.footer !== '' ? options.footer : `Secured with gatehouse ${escapeHtml(options.version)}`

  function signInMessage(): string {
    if (options.banner === '-') return ''
    if (options.banner !== '') return options.banner
    const domains = options.emailDomains.filter((d) => d !== '*')
    if (domains.length === 0 || options.emailDomains.includes('*')) return ''
    return `Authenticate using ${domains.map(escapeHtml).join(', ')}`
  }
  const message = signInMessage()

  /** One GET form to `<prefix>/start` per provider; a single provider keeps oauth2-proxy's one button without `provider`. */
  function providerButtons(rd: string, d: SignInData, choices: readonly ProviderChoice[]): string {
    if (choices.length <= 1) {
      return `<form method="GET" action="${prefix}/start">
<input type="hidden" name="rd" value="${rd}">
<button type="submit" class="button">Sign in with ${escapeHtml(d.ProviderName)}</button>
</form>`
    }
    return choices
      .map((c) => `<form method="GET" action="${prefix}/start">
<input type="hidden" name="rd" value="${rd}">
<input type="hidden" name="provider" value="${escapeHtml(c.id)}">
<button type="submit" class="button">Sign in with ${escapeHtml(c.name)}</button>
</form>`)
      .join('\n')
  }

  function builtInSignIn(d: SignInData, choices: readonly ProviderChoice[]): string {
    const rd = escapeHtml(d.Redirect)
    const login = !d.CustomLogin
      ? ''
      : `<div class="divider">or</div>
<form method="POST" action="${prefix}/sign_in" class="login">
<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${escapeHtml(d.CSRFToken)}">
<input type="hidden" name="rd" value="${rd}">
<label for="username">User name</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" class="button secondary">Sign in</button>
</form>`
    const body = `${options.logoHtml === '' ? '' : `<div class="logo">${options.logoHtml}</div>`}
<h1>Sign in</h1>
${message === '' ? '' : `<p class="banner">${message}</p>`}
${providerButtons(rd, d, choices)}
${login}
<script>
// Keep the URL fragment (it never reaches the server) so the user lands where they were; once per form.
(function(){var h=window.location.hash;if(!h)return;var f=document.getElementsByName('rd');for(var i=0;i<f.length;i++){var v=f[i].value,j=v.indexOf('#');f[i].value=(j<0?v:v.slice(0,j))+h}})();
</script>`
    return layout('Sign in', body, footer)
  }

  function builtInError(d: ErrorData, debug: string | undefined): string {
    const back = backTarget(d.Redirect)
    const body = `<p class="status${d.StatusCode >= 500 ? ' server' : ''}">${d.StatusCode}</p>
<h1>${escapeHtml(d.Title)}</h1>
<p>${escapeHtml(d.Message)}</p>
${debug === undefined ? '' : `<p class="debug">${escapeHtml(debug)}</p>`}
<div class="actions">
<a class="button secondary" href="${escapeHtml(back)}">Go back</a>
<a class="button" href="${prefix}/sign_in?rd=${escapeHtml(encodeURIComponent(back))}">Sign in</a>
</div>
<p class="meta">Request ID: ${escapeHtml(d.RequestID)}</p>`
    return layout(`${d.StatusCode} ${d.Title}`, body, footer)
  }

  return {
    /**
     * The sign-in page: a GET form to `<prefix>/start` carrying `rd` (one per provider in `choices` when it lists
     * several, each with its `provider`), and the htpasswd form when enabled, which posts `formToken`. A custom template's POST forms get the token inserted unless the template places it itself.
     */
    signIn(redirect: string, status = 200, formToken = '', choices: readonly ProviderChoice[] = []): string {
      const data: SignInData = {
        // A custom template has one button, which signs in with the first provider offered.
        ProviderName: choices[0]?.name ?? options.providerName,
        SignInMessage: safeHtml(message),
        StatusCode: status,
        CustomLogin: options.customLogin,
        Redirect: redirect,
        Version: options.version,
        ProxyPrefix: options.proxyPrefix,
        Footer: safeHtml(options.footer),
        LogoData: safeHtml(options.logoHtml),
        CSRFToken: formToken,
      }
      const custom = options.templates?.signIn
      if (custom === undefined) return builtInSignIn(data, choices)
      return formToken === '' ? custom(data) : withFormToken(custom(data), formToken)
    },

    /**
     * An error page: status, short reason, request id, a link back. `userMessage` is text safe for users;
     * the internal `debug` detail is shown only with `--show-debug-on-error`.
     */
    error(status: number, requestId: string, redirect: string, userMessage?: string, debug?: string): string {
      const shown = options.showDebugOnError ? debug : undefined
      const data: ErrorData = {
        Title: GO_STATUS_TEXT[status] ?? STATUS_CODES[status] ?? 'Error',
        Message: userMessage ?? DEFAULT_MESSAGES[status] ?? 'Something went wrong.',
        ProxyPrefix: options.proxyPrefix,
        StatusCode: status,
        Redirect: redirect,
        RequestID: requestId,
        Footer: safeHtml(options.footer),
        Version: options.version,
      }
      const custom = options.templates?.error
      if (custom !== undefined) {
        try {
          // oauth2-proxy's templates show one message: the internal one replaces it in debug mode.
          return custom(shown === undefined ? data : { ...data, Message: shown })
        } catch {
          // A template that fails at run time must not hide the error itself: fall back to the built-in page.
        }
      }
      return builtInError(data, shown)
    },
  }
}

export type Pages = ReturnType<typeof createPages>
