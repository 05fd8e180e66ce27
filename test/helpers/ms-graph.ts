// A local stand-in for the one Microsoft Graph call gatehouse's entra-id provider makes on group overage:
//   GET /v1.0/me/transitiveMemberOf?$select=id&$top=100
// It follows Microsoft's documentation of that API and its conventions:
//   https://learn.microsoft.com/en-us/graph/api/user-list-transitivememberof  (path, $select/$top, value[] of directoryObjects)
//   https://learn.microsoft.com/en-us/graph/paging                            (@odata.nextLink with an opaque $skiptoken)
//   https://learn.microsoft.com/en-us/graph/errors                            (error body: { error: { code, message, innerError } })
// and, for the legacy azure provider, two more calls:
//   GET /v1.0/me/transitiveMemberOf?$count=true&$filter=securityEnabled+eq+true&$select=displayName,id
//     https://learn.microsoft.com/en-us/graph/aad-advanced-queries  ($filter on this API is an advanced query: without
//     ConsistencyLevel: eventual and $count=true Graph answers 400 Request_UnsupportedQuery)
//     https://learn.microsoft.com/en-us/graph/query-parameters     ($select returns only the named properties)
//   GET /v1.0/me  https://learn.microsoft.com/en-us/graph/api/user-get  (default properties incl. mail, userPrincipalName)
// "me" is whoever the bearer token belongs to: the stand-in asks the dev IdP's userinfo endpoint, as a resource
// server would, and answers 401 InvalidAuthenticationToken when the token is missing or unknown.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenOnLoopback } from './loopback-server.js'

export interface GraphStandIn {
  url: string
  /** Each request seen: path with query, and the headers gatehouse must send. */
  requests: { pathAndQuery: string; consistencyLevel: string | undefined; authorized: boolean }[]
  /** While true, every request gets Graph's 503 serviceNotAvailable error. */
  broken: boolean
  /** While true, requests are read and never answered (until close). */
  hanging: boolean
  close(): Promise<void>
}

export interface GraphStandInOptions {
  /** The IdP's userinfo endpoint (read on each request), used to find out who the token belongs to. */
  userinfoUrl: () => string
  /** Group IDs per user `sub`. */
  groupsBySub: Record<string, string[]>
  /** Page size the server uses (Graph may return fewer than $top); 2 unless given, to exercise paging. */
  pageSize?: number
  /** Group objects per user `sub`, for `$filter`/`$select` requests; groupsBySub entries are security groups named by id. */
  groupObjectsBySub?: Record<string, GraphGroup[]>
  /** The user object `GET /v1.0/me` returns, per `sub`; 404 Request_ResourceNotFound for others. */
  usersBySub?: Record<string, GraphUser>
}

export interface GraphGroup {
  id: string
  displayName: string
  securityEnabled: boolean
}

export interface GraphUser {
  mail: string | null
  otherMails?: string[]
  userPrincipalName: string
}

/** Starts the stand-in on 127.0.0.1 with a port chosen by the OS. */
export async function startGraphStandIn(options: GraphStandInOptions): Promise<GraphStandIn> {
  const requests: GraphStandIn['requests'] = []
  const pageSize = options.pageSize ?? 2
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) graphError(res, 500, 'generalException', 'An unexpected error occurred.')
    })
  })
  let base = ''

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base)
    const auth = req.headers.authorization ?? ''
    const consistency = req.headers['consistencylevel']
    const entry = { pathAndQuery: `${url.pathname}${url.search}`, consistencyLevel: typeof consistency === 'string' ? consistency : undefined, authorized: false }
    requests.push(entry)
    if (standIn.hanging) return
    if (standIn.broken) {
      graphError(res, 503, 'serviceNotAvailable', 'The service is temporarily unavailable.')
      return
    }
    if (req.method === 'GET' && url.pathname === '/v1.0/me') {
      await me(req, res)
      return
    }
    if (req.method !== 'GET' || url.pathname !== '/v1.0/me/transitiveMemberOf') {
      graphError(res, 400, 'BadRequest', `Resource not found for the segment '${url.pathname.split('/').pop() ?? ''}'.`)
      return
    }
    const sub = auth.startsWith('Bearer ') ? await whoIs(auth.slice(7)) : undefined
    if (sub === undefined) {
      graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.')
      return
    }
    entry.authorized = true
    const filter = url.searchParams.get('$filter')
    if (filter !== null && (filter !== 'securityEnabled eq true' || url.searchParams.get('$count') !== 'true' || consistency !== 'eventual')) {
      graphError(res, 400, 'Request_UnsupportedQuery', 'Unsupported Query.')
      return
    }
    const select = (url.searchParams.get('$select') ?? 'id').split(',')
    const all: GraphGroup[] = options.groupObjectsBySub?.[sub] ?? (options.groupsBySub[sub] ?? []).map((id) => ({ id, displayName: id, securityEnabled: true }))
    const groups = filter === null ? all : all.filter((g) => g.securityEnabled)
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0')
    const page = groups.slice(skip, skip + pageSize)
    const body: Record<string, unknown> = {
      '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#directoryObjects(${select.join(',')})`,
      value: page.map((g) => ({ '@odata.type': '#microsoft.graph.group', ...Object.fromEntries(select.filter((f) => f in g).map((f) => [f, g[f as keyof GraphGroup]])) })),
    }
    if (skip + pageSize < groups.length) {
      const next = new URL(url)
      next.searchParams.set('$skiptoken', String(skip + pageSize))
      body['@odata.nextLink'] = next.toString()
    }
    res.writeHead(200, { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8' })
    res.end(JSON.stringify(body))
  }

  async function me(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = req.headers.authorization ?? ''
    const sub = auth.startsWith('Bearer ') ? await whoIs(auth.slice(7)) : undefined
    if (sub === undefined) {
      graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.')
      return
    }
    const user = options.usersBySub?.[sub]
    if (user === undefined) {
      graphError(res, 404, 'Request_ResourceNotFound', `Resource '${sub}' does not exist or one of its queried reference-property objects are not present.`)
      return
    }
    res.writeHead(200, { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8' })
    res.end(JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', id: sub, businessPhones: [], displayName: sub, otherMails: [], ...user }))
  }

  async function whoIs(token: string): Promise<string | undefined> {
    const r = await fetch(options.userinfoUrl(), { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) })
    if (!r.ok) return undefined
    const claims = (await r.json()) as { sub?: unknown }
    return typeof claims.sub === 'string' ? claims.sub : undefined
  }

  const listening = await listenOnLoopback(server)
  base = listening.origin
  const standIn: GraphStandIn = {
    url: base,
    requests,
    broken: false,
    hanging: false,
    close: listening.close,
  }
  return standIn
}

function graphError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } }))
}
