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
  /** Show the user name and password form (POST to `<prefix>/sign_in`): `--htpasswd-file` with `--display-htpasswd-form`. */
  customLogin?: boolean
}

const DEFAULT_MESSAGES: Readonly<Record<number, { title: string; message: string }>> = {
  400: { title: 'Bad Request', message: 'The request could not be understood.' },
  401: { title: 'Unauthorized', message: 'You need to be logged in to access this resource.' },
  403: { title: 'Forbidden', message: 'You do not have permission to access this resource.' },
  404: { title: 'Not Found', message: 'The page you were looking for could not be found.' },
  500: { title: 'Internal Server Error', message: 'Oops! Something went wrong. For more information contact your server administrator.' },
  502: { title: 'Bad Gateway', message: 'The application behind this proxy could not be reached.' },
  504: { title: 'Gateway Timeout', message: 'The application behind this proxy took too long to answer.' },
}

/** Renders the sign-in and error pages. */
export function createPages(options: PageOptions) {
  const footer = options.footer === '-' ? '' : options.footer !== '' ? options.footer : `Secured with gatehouse ${escapeHtml(options.version)}`

  function defaultBanner(): string {
    const domains = options.emailDomains.filter((d) => d !== '*')
    if (domains.length === 0 || options.emailDomains.includes('*')) return ''
    return `Authenticate using ${domains.map(escapeHtml).join(', ')}`
  }

  return {
    /** The sign-in page: a GET form to `<prefix>/start` carrying `rd`. */
    signIn(redirect: string): string {
      const banner = options.banner === '-' ? '' : options.banner !== '' ? options.banner : defaultBanner()
      const body = `<h1>Sign in</h1>
${banner === '' ? '' : `<p>${banner}</p>`}
<form method="GET" action="${escapeHtml(options.proxyPrefix)}/start">
<input type="hidden" name="rd" value="${escapeHtml(redirect)}">
<button type="submit" class="button">Sign in with ${escapeHtml(options.providerName)}</button>
</form>
<script>
// Keep the URL fragment (it never reaches the server) so the user lands where they were.
(function(){var rd=document.querySelector('input[name=rd]');if(rd&&window.location.hash){rd.value+=window.location.hash}})();
</script>`
      return layout('Sign in', body, footer)
    },

    /** An error page: status, short reason, request id, a link back; internal detail only with show-debug-on-error. */
    error(status: number, requestId: string, redirect: string, userMessage?: string, debug?: string): string {
      const known = DEFAULT_MESSAGES[status] ?? { title: 'Error', message: 'Something went wrong.' }
      const message = userMessage ?? known.message
      const detail = options.showDebugOnError && debug !== undefined ? `<p class="meta">${escapeHtml(debug)}</p>` : ''
      const body = `<p class="status">${status}</p>
<h1>${escapeHtml(known.title)}</h1>
<p>${escapeHtml(message)}</p>
${detail}
<a class="button" href="${escapeHtml(options.proxyPrefix)}/sign_in?rd=${encodeURIComponent(redirect)}">Sign in</a>
<a class="button secondary" href="javascript:history.back()">Go back</a>
<p class="meta">Request ID: ${escapeHtml(requestId)}</p>`
      return layout(known.title, body, footer)
    },
  }
}

export type Pages = ReturnType<typeof createPages>
