import { ProxyError } from '../errors.js'
import { callApi, expectJson } from './api-call.js'
import { getClaim } from './claims.js'
import type { OAuth2Identity } from './oauth2-base.js'

/** One provider whose identity is one REST call: how to ask, and what to read from the JSON answer. */
export interface RestIdentitySpec {
  /** Names the call in errors and logs. */
  call: string
  method: 'GET' | 'POST'
  /** The URL asked, from the profile URL (some providers add a query). */
  url(profileUrl: string): string
  headers(token: string): Record<string, string>
  body?: string
  read(answer: unknown): OAuth2Identity
}

/** `Authorization: Bearer` and `Accept: application/json` (oauth2-proxy's makeOIDCHeader). */
export const bearerJson = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}`, accept: 'application/json' })

function text(answer: unknown, path: string): string | undefined {
  const v = answer !== null && typeof answer === 'object' ? getClaim(answer as Record<string, unknown>, path) : undefined
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** A sign-in whose account shares no email (a phone-only Facebook account, …): the user's side, not a failure. */
function noEmail(provider: string): ProxyError {
  return new ProxyError('ERR_LOGIN_UNAUTHORIZED', 403, `${provider} answered no email address for this account`, {
    userMessage: `${provider} did not share an email address for your account, so you cannot sign in here.`,
  })
}

/** DigitalOcean: `GET /v2/account`, email = `account.email` (https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account). */
export const DIGITALOCEAN: RestIdentitySpec = {
  call: 'DigitalOcean GET /v2/account',
  method: 'GET',
  url: (u) => u,
  headers: (t) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json', accept: 'application/json' }),
  read(answer) {
    const email = text(answer, 'account.email')
    if (email === undefined) throw noEmail('DigitalOcean')
    return { email }
  },
}

/** Facebook Graph API: `GET /me?fields=name,email`, email required (https://developers.facebook.com/docs/graph-api/reference/user/). */
export const FACEBOOK: RestIdentitySpec = {
  call: 'Facebook GET /me',
  method: 'GET',
  url: (u) => withQuery(u, { fields: 'name,email' }),
  headers: bearerJson,
  read(answer) {
    const email = text(answer, 'email')
    if (email === undefined) throw noEmail('Facebook')
    return { email }
  },
}

/** LinkedIn: `GET /v2/emailAddress?q=members&projection=(elements*(handle~))`, email = `elements[0]["handle~"].emailAddress`. */
export const LINKEDIN: RestIdentitySpec = {
  call: 'LinkedIn GET /v2/emailAddress',
  method: 'GET',
  // oauth2-proxy appends the query as is; URLSearchParams would escape the projection's parentheses and tilde.
  url: (u) => `${u}${u.includes('?') ? '&' : '?'}q=members&projection=(elements*(handle~))`,
  headers: (t) => ({ authorization: `Bearer ${t}`, accept: 'application/json', 'x-li-format': 'json' }),
  read(answer) {
    const elements = (answer as { elements?: unknown } | null)?.elements
    const first = Array.isArray(elements) ? (elements[0] as Record<string, unknown> | undefined) : undefined
    const email = text(first?.['handle~'], 'emailAddress')
    if (email === undefined) throw noEmail('LinkedIn')
    return { email }
  },
}

/** Nextcloud OCS: `GET /ocs/v2.php/cloud/user?format=json`, user = `ocs.data.id`, email, groups (https://docs.nextcloud.com/server/latest/developer_manual/client_apis/OCS/). */
export const NEXTCLOUD: RestIdentitySpec = {
  call: 'Nextcloud GET OCS user',
  method: 'GET',
  url: (u) => u,
  headers: (t) => ({ ...bearerJson(t), 'ocs-apirequest': 'true' }),
  read(answer) {
    const user = text(answer, 'ocs.data.id')
    if (user === undefined) throw new ProxyError('ERR_OIDC_CLAIMS', 502, 'Nextcloud GET OCS user answered no ocs.data.id')
    const email = text(answer, 'ocs.data.email')
    const raw = answer !== null && typeof answer === 'object' ? getClaim(answer as Record<string, unknown>, 'ocs.data.groups') : undefined
    const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string' && g !== '') : []
    return { user, groups, ...(email === undefined ? {} : { email }) }
  },
}

/** SourceHut meta.sr.ht GraphQL: `POST /query` `{ me { username, email } }` (https://man.sr.ht/meta.sr.ht/graphql.md). */
export const SOURCEHUT: RestIdentitySpec = {
  call: 'SourceHut POST /query',
  method: 'POST',
  url: (u) => u,
  headers: (t) => ({ ...bearerJson(t), 'content-type': 'application/json' }),
  body: JSON.stringify({ query: '{ me { username, email } }' }),
  read(answer) {
    const user = text(answer, 'data.me.username')
    const email = text(answer, 'data.me.email')
    if (user === undefined && email === undefined) {
      const errors = (answer as { errors?: { message?: unknown }[] } | null)?.errors
      const why = Array.isArray(errors) && typeof errors[0]?.message === 'string' ? `: ${errors[0].message}` : ''
      throw new ProxyError('ERR_OIDC_CLAIMS', 502, `SourceHut POST /query answered no user${why}`)
    }
    return { ...(user === undefined ? {} : { user }), ...(email === undefined ? {} : { email }) }
  },
}

function withQuery(url: string, query: Record<string, string>): string {
  const u = new URL(url)
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v)
  return u.toString()
}

/** The identity read with one call to `profileUrl` as `spec` says. */
export function createRestIdentify(spec: RestIdentitySpec, options: { fetch: typeof fetch; profileUrl: string }): (token: string) => Promise<OAuth2Identity> {
  return async (token) => {
    const answer = await callApi({ fetch: options.fetch, url: spec.url(options.profileUrl), call: spec.call, method: spec.method, headers: spec.headers(token), ...(spec.body === undefined ? {} : { body: spec.body }) })
    return spec.read(expectJson(answer, spec.call))
  }
}
