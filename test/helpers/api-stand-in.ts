// The HTTP plumbing shared by the REST API stand-ins of the plain OAuth2 providers (bitbucket-api.ts,
// digitalocean-api.ts, …): a server on 127.0.0.1, the request log, the access token as the API reads it (Bearer header
// or `access_token` query parameter), and the failure modes every provider test needs ('broken': every call 500s,
// 'hang': no answer at all). Each API's paths, shapes and error bodies live in its own file.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { listenOnLoopback } from './loopback-server.js'

export interface StandInRequest {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  body: string
  /** The access token sent: `Authorization: Bearer|token <t>`, else `?access_token=<t>`, else ''. */
  token: string
}

export interface StandInReply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface ApiStandIn {
  /** `http://127.0.0.1:<port>` */
  origin: string
  requests: StandInRequest[]
  mode: 'ok' | 'broken' | 'hang'
  close(): Promise<void>
}

/** Starts a stand-in whose `route` answers every request while the mode is 'ok'; `broken` is its API's 500 body. */
export async function startApiStandIn(route: (req: StandInRequest) => Promise<StandInReply>, broken: unknown): Promise<ApiStandIn> {
  const requests: StandInRequest[] = []
  let origin = ''
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin)
      const auth = /^(?:bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
      const entry: StandInRequest = { method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), token: auth ?? url.searchParams.get('access_token') ?? '' }
      requests.push(entry)
      if (standIn.mode === 'hang') return
      const reply: Promise<StandInReply> = standIn.mode === 'broken' ? Promise.resolve({ status: 500, body: broken }) : route(entry)
      void reply
        .catch((): StandInReply => ({ status: 500, body: broken }))
        .then((r) => {
          res.writeHead(r.status, { ...(r.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...r.headers })
          res.end(r.body === undefined ? undefined : JSON.stringify(r.body))
        })
    })
  })
  const listening = await listenOnLoopback(server)
  origin = listening.origin
  const standIn: ApiStandIn = {
    origin,
    requests,
    mode: 'ok',
    close: listening.close,
  }
  return standIn
}
