// Signs in through a relying party (the proxy) and the development IdP with plain HTTP: follow the
// redirects, fill the IdP's login form, submit any auto-submitting form (form_post), and stop at the
// first answer of the relying party after the IdP. It only follows Location headers and submits forms.
import { parseForms, submitForm } from './html-form.js'
import type { HtmlForm } from './html-form.js'
import type { HttpClient, HttpResponse } from './http.js'

/** Credentials typed into the IdP's login form. */
export interface LoginUser {
  login: string
  password: string
}

/** Options of `loginViaHttp`. */
export interface LoginOptions {
  /** Origin (or any URL) of the IdP; by default the first origin a redirect leads to away from `startUrl`. */
  idp?: string
  /** Requests to make at most (default 25). */
  maxSteps?: number
}

/** Where the sign-in ended. */
export interface LoginResult {
  /** The Location of the relying party's final redirect, or the URL of its final answer when it did not redirect. */
  finalUrl: string
  /** Status of the relying party's final answer (302 after a successful callback). */
  status: number
  response: HttpResponse
  /** Every response on the way, in order. */
  steps: HttpResponse[]
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Logs `user` in starting from `startUrl` (e.g. the proxy's `/oauth2/start?rd=/x` or a protected page). */
export async function loginViaHttp(client: HttpClient, startUrl: string, user: LoginUser, options: LoginOptions = {}): Promise<LoginResult> {
  const maxSteps = options.maxSteps ?? 25
  const startOrigin = new URL(startUrl).origin
  let idpOrigin = options.idp === undefined ? undefined : new URL(options.idp).origin
  let visitedIdp = false
  let submittedLogin = false
  const steps: HttpResponse[] = []
  let res = await client.get(startUrl)
  steps.push(res)

  while (steps.length < maxSteps) {
    const origin = new URL(res.url).origin
    const atIdp = idpOrigin !== undefined && origin === idpOrigin
    if (atIdp) visitedIdp = true
    if (!atIdp && visitedIdp) {
      return { finalUrl: res.location ?? res.url, status: res.status, response: res, steps }
    }
    if (REDIRECTS.has(res.status) && res.location !== undefined) {
      const next = new URL(res.location)
      if (idpOrigin === undefined && next.origin !== startOrigin) idpOrigin = next.origin
      res = await client.get(next)
    } else if (res.status !== 200 && !(res.status === 403 && !visitedIdp && parseForms(res.body, res.url).length > 0)) {
      // (oauth2-proxy answers a protected page without a session with its sign-in page and status 403.)
      throw new Error(`login: unexpected ${res.status} from ${res.url}: ${snippet(res.body)}`)
    } else {
      const forms = parseForms(res.body, res.url)
      const hasPassword = (f: HtmlForm): boolean => Object.values(f.inputTypes).includes('password')
      const loginForm = atIdp ? forms.find(hasPassword) : undefined
      // Otherwise an auto-submitting page (response_mode=form_post) or the relying party's own
      // sign-in button; a password form there (oauth2-proxy's htpasswd form) is not the IdP's.
      const other = forms.filter((f) => !hasPassword(f))
      if (loginForm !== undefined) {
        if (submittedLogin) throw new Error(`login: the IdP rejected the credentials of ${user.login}: ${snippet(res.body)}`)
        submittedLogin = true
        res = await submitForm(client, loginForm, { login: user.login, password: user.password })
      } else if (other.length === 1 && other[0] !== undefined) {
        res = await submitForm(client, other[0])
      } else {
        throw new Error(`login: no form to submit at ${res.url}: ${snippet(res.body)}`)
      }
    }
    steps.push(res)
  }
  throw new Error(`login: gave up after ${maxSteps} requests, last ${res.status} ${res.url}`)
}

function snippet(body: string): string {
  const text = body.replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}
