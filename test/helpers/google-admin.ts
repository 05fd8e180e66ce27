// A local stand-in for the Google APIs gatehouse's google provider calls, on 127.0.0.1. It follows Google's public
// documentation of each call:
//   POST /token (a key file's token_uri)       https://developers.google.com/identity/protocols/oauth2/service-account
//        JWT-bearer grant: RS256 assertion checked with the key file's public key; iss, aud, sub, scope, iat/exp;
//        scopes outside the delegation get Google's 401 unauthorized_client answer
//   GET  /admin/directory/v1/groups/{groupKey}/hasMember/{memberKey}
//        https://developers.google.com/admin-sdk/directory/reference/rest/v1/members/hasMember   ({"isMember": bool};
//        400 for a member outside the group's domain, 404 for an unknown group)
//   GET  /admin/directory/v1/groups/{groupKey}/members/{memberKey}
//        https://developers.google.com/admin-sdk/directory/reference/rest/v1/members/get        (Member, `status`)
//   GET  /admin/directory/v1/groups?userKey=&maxResults=&pageToken=
//        https://developers.google.com/admin-sdk/directory/reference/rest/v1/groups/list         (groups[], nextPageToken)
//   GET  /admin/directory/v1/users/{userKey}
//        https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/get           (externalIds[])
//   GET  /oauth2/v1/tokeninfo?access_token=     the validate URL oauth2-proxy's google provider calls; the token is
//        checked at the dev IdP's userinfo endpoint, as a resource server would
// Errors use Google's JSON error model (https://cloud.google.com/apis/design/errors):
//   {"error": {"code": 404, "message": "...", "errors": [...], "status": "NOT_FOUND"}}
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenOnLoopback } from './loopback-server.js'

export const UNAUTHORIZED_SCOPE = 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.'

export interface GoogleMember {
  email: string
  status: 'ACTIVE' | 'SUSPENDED' | 'ARCHIVED' | 'UNKNOWN'
}

export interface GoogleStandInOptions {
  /** PEM public key of the service account (the pair of the key file's private_key). */
  publicKey: string
  clientEmail: string
  /** The admin the assertion's `sub` must name. */
  adminEmail: string
  /** Scopes granted to the service account by domain-wide delegation. */
  delegatedScopes: string[]
  /** Group email → members. Members whose domain differs from the group's make hasMember answer 400, as Google does. */
  groups: Record<string, GoogleMember[]>
  /** User email → organization external ID (users.get). */
  organizationIds?: Record<string, string>
  /** The dev IdP's userinfo endpoint (read per request) for tokeninfo. */
  userinfoUrl: () => string
  /** groups.list page size (Google may return fewer than maxResults); 2 to exercise paging. */
  pageSize?: number
}

export interface GoogleRequest {
  method: string
  path: string
  query: Record<string, string>
}

export interface GoogleStandIn {
  url: string
  tokenUri: string
  requests: GoogleRequest[]
  /** Decoded claims of every valid assertion received. */
  assertions: Record<string, unknown>[]
  /** Requested scopes of every assertion, valid or not, in order. */
  scopeRequests: string[]
  /** Answer Directory calls with Google's 500 backendError, or accept them and never answer. */
  failure: 'none' | 'error' | 'hang'
  /** tokeninfo answers 400 invalid_token for every token while true. */
  rejectTokens: boolean
  groups: Record<string, GoogleMember[]>
  close(): Promise<void>
}

const TOKEN_TTL_SEC = 3599
const STATUS_NAMES: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 500: 'INTERNAL' }

export async function startGoogleStandIn(options: GoogleStandInOptions): Promise<GoogleStandIn> {
  const publicKey: KeyObject = createPublicKey(options.publicKey)
  const issued = new Map<string, { scopes: string[]; expiresAt: number }>()
  const pageSize = options.pageSize ?? 2
  const hanging = new Set<ServerResponse>()
  let base = ''

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) googleError(res, 500, 'Backend Error', 'backendError')
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base)
    standIn.requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams) })
    if (req.method === 'POST' && url.pathname === '/token') return token(await readBody(req), res)
    if (req.method === 'GET' && url.pathname === '/oauth2/v1/tokeninfo') return tokeninfo(url.searchParams.get('access_token') ?? '', res)
    if (!url.pathname.startsWith('/admin/directory/v1/')) return googleError(res, 404, 'Not Found', 'notFound')
    if (standIn.failure === 'hang') {
      hanging.add(res)
      return
    }
    if (standIn.failure === 'error') return googleError(res, 500, 'Backend Error', 'backendError')
    const auth = req.headers.authorization ?? ''
    const grant = issued.get(auth.startsWith('Bearer ') ? auth.slice(7) : '')
    if (grant === undefined || grant.expiresAt < Date.now()) return googleError(res, 401, 'Request had invalid authentication credentials.', 'authError')
    const parts = url.pathname.slice('/admin/directory/v1/'.length).split('/').map(decodeURIComponent)
    if (parts[0] === 'groups' && parts.length === 1) return listGroups(url.searchParams, res)
    if (parts[0] === 'users' && parts.length === 2) return getUser(parts[1] ?? '', res)
    if (parts[0] === 'groups' && parts.length === 4) return member(parts[1] ?? '', parts[2] ?? '', parts[3] ?? '', res)
    googleError(res, 404, 'Not Found', 'notFound')
  }

  function token(form: URLSearchParams, res: ServerResponse): void {
    const oauthError = (status: number, error: string, description: string) => json(res, status, { error, error_description: description })
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (form.get('grant_type') ?? ''))
    const [h, p, s] = (form.get('assertion') ?? '').split('.')
    if (h === undefined || p === undefined || s === undefined) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.')
    if (!verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.')
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string }
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    const scopes = typeof claims['scope'] === 'string' ? claims['scope'].split(' ') : []
    standIn.scopeRequests.push(scopes.join(' '))
    const now = Math.floor(Date.now() / 1000)
    if (header.alg !== 'RS256' || claims['iss'] !== options.clientEmail || claims['aud'] !== standIn.tokenUri) return oauthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.')
    if (typeof claims['exp'] !== 'number' || typeof claims['iat'] !== 'number' || claims['exp'] < now || claims['iat'] > now + 60 || claims['exp'] - claims['iat'] > 3600) {
      return oauthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.')
    }
    if (claims['sub'] !== options.adminEmail) return oauthError(400, 'invalid_grant', 'Invalid email or User ID')
    if (scopes.length === 0 || !scopes.every((sc) => options.delegatedScopes.includes(sc))) return oauthError(401, 'unauthorized_client', UNAUTHORIZED_SCOPE)
    standIn.assertions.push(claims)
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`
    issued.set(accessToken, { scopes, expiresAt: Date.now() + TOKEN_TTL_SEC * 1000 })
    json(res, 200, { access_token: accessToken, expires_in: TOKEN_TTL_SEC, token_type: 'Bearer' })
  }

  async function tokeninfo(accessToken: string, res: ServerResponse): Promise<void> {
    const invalid = () => json(res, 400, { error: 'invalid_token', error_description: 'Invalid Value' })
    if (accessToken === '' || standIn.rejectTokens) return invalid()
    const r = await fetch(options.userinfoUrl(), { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(5_000) })
    if (!r.ok) return invalid()
    const claims = (await r.json()) as { sub?: string; email?: string; email_verified?: boolean }
    json(res, 200, { issued_to: 'gatehouse-post', audience: 'gatehouse-post', user_id: claims.sub, scope: 'openid email profile', expires_in: 3000, email: claims.email, verified_email: claims.email_verified === true, access_type: 'offline' })
  }

  function listGroups(query: URLSearchParams, res: ServerResponse): void {
    const userKey = query.get('userKey') ?? ''
    if (userKey === '') return googleError(res, 400, 'Bad Request', 'badRequest')
    const mine = Object.entries(standIn.groups).filter(([, members]) => members.some((m) => m.email === userKey))
    const start = Number(query.get('pageToken') ?? '0')
    const size = Math.min(pageSize, Number(query.get('maxResults') ?? '200'))
    const page = mine.slice(start, start + size).map(([email]) => ({ kind: 'admin#directory#group', id: Buffer.from(email).toString('hex').slice(0, 16), email, name: email.split('@')[0] }))
    json(res, 200, { kind: 'admin#directory#groups', etag: '"stand-in"', groups: page, ...(start + size < mine.length ? { nextPageToken: String(start + size) } : {}) })
  }

  function getUser(userKey: string, res: ServerResponse): void {
    const org = options.organizationIds?.[userKey]
    if (org === undefined && !Object.values(standIn.groups).some((ms) => ms.some((m) => m.email === userKey))) return googleError(res, 404, 'Resource Not Found: userKey', 'notFound')
    json(res, 200, { kind: 'admin#directory#user', id: '1034', primaryEmail: userKey, ...(org === undefined ? {} : { externalIds: [{ value: 'ignored', type: 'account' }, { value: org, type: 'organization' }] }) })
  }

  function member(group: string, verb: string, memberKey: string, res: ServerResponse): void {
    const members = standIn.groups[group]
    if (members === undefined) return googleError(res, 404, 'Resource Not Found: groupKey', 'notFound')
    const found = members.find((m) => m.email === memberKey)
    if (verb === 'hasMember') {
      if (memberKey.split('@')[1] !== group.split('@')[1]) return googleError(res, 400, 'Invalid Input: memberKey', 'invalid')
      return json(res, 200, { isMember: found?.status === 'ACTIVE' })
    }
    if (verb !== 'members') return googleError(res, 404, 'Not Found', 'notFound')
    if (found === undefined) return googleError(res, 404, 'Resource Not Found: memberKey', 'notFound')
    json(res, 200, { kind: 'admin#directory#member', etag: '"stand-in"', id: '1035', email: found.email, role: 'MEMBER', type: 'USER', status: found.status })
  }

  const listening = await listenOnLoopback(server)
  base = listening.origin
  const standIn: GoogleStandIn = {
    url: base,
    tokenUri: `${base}/token`,
    requests: [],
    assertions: [],
    scopeRequests: [],
    failure: 'none',
    rejectTokens: false,
    groups: options.groups,
    close: () => {
      for (const res of hanging) res.destroy()
      return listening.close()
    },
  }
  return standIn
}

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))))
    req.on('error', reject)
  })
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' })
  res.end(JSON.stringify(body))
}

function googleError(res: ServerResponse, code: number, message: string, reason: string): void {
  json(res, code, { error: { code, message, errors: [{ message, domain: 'global', reason }], status: STATUS_NAMES[code] ?? 'UNKNOWN' } })
}
