// Request recording and IdP-specific response shapes for the development OpenID provider: lets tests see exactly what
// a relying party sent (authorization query, token form) and makes token responses look like Azure AD v1's.
// Development and tests only.
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import type { KoaContextWithOIDC, KoaNext } from 'oidc-provider'

/** One request as the IdP received it; secrets in token requests are replaced by `<redacted>`. */
export interface RecordedRequest {
  route: 'authorization' | 'token'
  /** The raw query string of an authorization request (without `?`); empty for token requests. */
  rawQuery: string
  params: Record<string, string>
}

/** Form fields of token requests whose values are never kept. */
const SECRET_FIELDS = new Set(['client_secret', 'code', 'code_verifier', 'refresh_token', 'client_assertion'])

/** Bound on the recorded requests, so a long demo run does not grow without end. */
const MAX_RECORDED = 1000

export interface ShapeOptions {
  /** Add Azure AD v1's `expires_on` (epoch seconds as a string) to every successful token response. */
  azureExpiresOn: boolean
  /** Decode `state` once more on the way back to the client, as ADFS does (see withAdfsScopes). */
  adfsState: boolean
  record: RecordedRequest[]
}

/** Where a request keeps its query as the client sent it, before a rewrite here, for the record. */
const ORIGINAL_QUERY = Symbol('dev-idp.original-query')

/**
 * ADFS reads `<resource>/<scope>` scope values (oauth2-proxy's adfs provider prefixes the scope with `--resource`);
 * oidc-provider knows only the bare scopes, so the prefix is taken off here.
 */
export function withAdfsScopes(req: IncomingMessage, rawUrl: string): string {
  const [path, query] = rawUrl.split('?', 2) as [string, string | undefined]
  if (query === undefined) return rawUrl
  const params = new URLSearchParams(query)
  const scope = params.get('scope')
  if (scope === null || !scope.includes('://')) return rawUrl
  Object.assign(req, { [ORIGINAL_QUERY]: query })
  params.set('scope', scope.split(' ').map((s) => (s.includes('://') ? s.slice(s.lastIndexOf('/') + 1) : s)).join(' '))
  return `${path}?${params.toString()}`
}

/** Go's url.QueryUnescape, which ADFS in effect applies once more to `state`. */
function queryUnescape(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return value
  }
}

/** A Koa middleware for oidc-provider that records requests and reshapes token responses. */
export function shapesMiddleware(options: ShapeOptions): (ctx: KoaContextWithOIDC, next: KoaNext) => Promise<void> {
  return async (ctx, next) => {
    await next()
    const route = ctx.oidc?.route
    const raw = ctx as unknown as {
      querystring?: string
      oidc?: { body?: Record<string, unknown> }
      req?: Record<symbol, unknown>
      response: { get(name: string): string; set(name: string, value: string): void }
    }
    const dropped = raw.req?.[DROPPED]
    const resource: Record<string, string> = typeof dropped === 'string' ? { resource: dropped } : {}
    if (options.adfsState && (ctx.status === 302 || ctx.status === 303)) {
      const location = raw.response.get('location')
      if (location !== '' && location.includes('state=')) {
        const url = new URL(location)
        const state = url.searchParams.get('state')
        if (state !== null && url.searchParams.has('code')) {
          url.searchParams.set('state', queryUnescape(state))
          raw.response.set('location', url.toString())
        }
      }
    }
    if (route === 'authorization') {
      const original = raw.req?.[ORIGINAL_QUERY]
      const query = typeof original === 'string' ? original : (raw.querystring ?? '')
      push(options.record, { route, rawQuery: query, params: { ...Object.fromEntries(new URLSearchParams(query)), ...resource } })
    } else if (route === 'token') {
      const params: Record<string, string> = { ...resource }
      for (const [key, value] of Object.entries(raw.oidc?.body ?? {})) {
        params[key] = SECRET_FIELDS.has(key) ? '<redacted>' : String(value)
        // The claims of a client assertion, without its signature (so nothing replayable is kept).
        if (key === 'client_assertion' && typeof value === 'string') params['client_assertion_payload'] = Buffer.from(value.split('.')[1] ?? '', 'base64url').toString('utf8')
      }
      push(options.record, { route, rawQuery: '', params })
      const body = ctx.body as Record<string, unknown> | null
      if (options.azureExpiresOn && ctx.status === 200 && body !== null && typeof body === 'object' && typeof body['expires_in'] === 'number') {
        ctx.body = { ...body, expires_on: String(Math.floor(Date.now() / 1000) + body['expires_in']) }
      }
    }
  }
}

/** Where a request keeps the `resource` value taken out of it, for the record. */
const DROPPED = Symbol('dev-idp.dropped-resource')

/** Bound on a token request body read ahead of oidc-provider. */
const MAX_BODY = 64 * 1024

/**
 * Azure AD v1 takes a `resource` parameter at both endpoints; oidc-provider would read it as an RFC 8707 resource
 * indicator and refuse an unknown one. The authorization URL loses it here (the middleware still records it).
 */
export function withoutResourceInUrl(req: IncomingMessage, rawUrl: string): string {
  const [path, query] = rawUrl.split('?', 2) as [string, string | undefined]
  if (query === undefined) return rawUrl
  const params = new URLSearchParams(query)
  const resource = params.get('resource')
  if (resource === null) return rawUrl
  Object.assign(req, { [DROPPED]: resource })
  params.delete('resource')
  return `${path}?${params.toString()}`
}

/**
 * The same for a token request: reads the form, drops `resource` and hands oidc-provider a request that reads the
 * rest. `record` gets the original form (secrets redacted) since oidc-provider never sees the dropped field.
 */
export async function withoutResourceInBody(req: IncomingMessage): Promise<IncomingMessage> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new Error('token request body too large')
    chunks.push(chunk as Buffer)
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
  const resource = form.get('resource')
  form.delete('resource')
  const body = Buffer.from(form.toString(), 'utf8')
  const replay = Readable.from([body]) as unknown as IncomingMessage
  // Koa and oidc-provider read these from the request; everything else stays the original's.
  Object.assign(replay, {
    headers: { ...req.headers, 'content-length': String(body.length) },
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    ...(resource === null ? {} : { [DROPPED]: resource }),
  })
  return replay
}

function push(record: RecordedRequest[], entry: RecordedRequest): void {
  record.push(entry)
  if (record.length > MAX_RECORDED) record.splice(0, record.length - MAX_RECORDED)
}
