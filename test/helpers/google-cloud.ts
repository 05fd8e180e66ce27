// Local stand-ins for the Google Cloud services behind Application Default Credentials on GKE, on 127.0.0.1,
// following Google's public documentation:
//   Metadata server (https://cloud.google.com/compute/docs/metadata/querying-metadata; gatehouse finds it through
//   GCE_METADATA_HOST, as Google's client libraries do). Every request needs "Metadata-Flavor: Google" (403 without):
//     GET /computeMetadata/v1/instance/service-accounts/default/token  {"access_token","expires_in","token_type"}
//     GET /computeMetadata/v1/instance/service-accounts/default/email  the account's email, text/plain
//   IAM Credentials (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/signJwt):
//     POST /v1/projects/-/serviceAccounts/{email}:signJwt  {"payload": "<JSON claims>"} with the caller's bearer token
//     → {"keyId","signedJwt"}, signed RS256 with the service account's key; 403 PERMISSION_DENIED when the caller may
//     not act as that account (roles/iam.serviceAccountTokenCreator), 401 for an unknown token.
import { randomBytes, sign, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { listenOnLoopback } from './loopback-server.js'

export interface GoogleCloudStandInOptions {
  /** The workload's own account (what the metadata server answers). */
  workloadEmail: string
  /** Service accounts the workload may impersonate, with the private key and key id each signs with. */
  accounts: Record<string, { privateKey: KeyObject; keyId: string }>
}

export interface GoogleCloudStandIn {
  /** host:port, the value of GCE_METADATA_HOST. */
  metadataHost: string
  /** Base URL of the IAM Credentials API. */
  iamUrl: string
  /** Every signJwt call: the account in the path and the claims asked for. */
  signJwtCalls: { account: string; claims: Record<string, unknown> }[]
  metadataCalls: string[]
  close(): Promise<void>
}

export async function startGoogleCloudStandIn(options: GoogleCloudStandInOptions): Promise<GoogleCloudStandIn> {
  const tokens = new Set<string>()
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) googleError(res, 500, 'Internal error')
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path.startsWith('/computeMetadata/v1/')) {
      standIn.metadataCalls.push(path)
      if (req.headers['metadata-flavor'] !== 'Google') return text(res, 403, 'Missing Metadata-Flavor:Google header.')
      if (path.endsWith('/service-accounts/default/email')) return text(res, 200, options.workloadEmail)
      if (path.endsWith('/service-accounts/default/token')) {
        const token = `ya29.metadata-${randomBytes(16).toString('base64url')}`
        tokens.add(token)
        return json(res, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' })
      }
      return text(res, 404, 'Not Found')
    }
    const match = /^\/v1\/projects\/-\/serviceAccounts\/([^/]+):signJwt$/.exec(path)
    if (req.method !== 'POST' || match === null) return googleError(res, 404, 'Not Found')
    const auth = req.headers.authorization ?? ''
    if (!tokens.has(auth.startsWith('Bearer ') ? auth.slice(7) : '')) return googleError(res, 401, 'Request had invalid authentication credentials.')
    const account = decodeURIComponent(match[1] ?? '')
    const target = options.accounts[account]
    if (target === undefined) return googleError(res, 403, `Permission 'iam.serviceAccounts.signJwt' denied on resource (or it may not exist).`)
    const body = JSON.parse(await readBody(req)) as { payload?: unknown }
    if (typeof body.payload !== 'string') return googleError(res, 400, 'Invalid JSON payload received.')
    const claims = JSON.parse(body.payload) as Record<string, unknown>
    standIn.signJwtCalls.push({ account, claims })
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const input = `${b64({ alg: 'RS256', kid: target.keyId, typ: 'JWT' })}.${Buffer.from(body.payload).toString('base64url')}`
    json(res, 200, { keyId: target.keyId, signedJwt: `${input}.${sign('sha256', Buffer.from(input), target.privateKey).toString('base64url')}` })
  }

  const listening = await listenOnLoopback(server)
  const standIn: GoogleCloudStandIn = {
    metadataHost: new URL(listening.origin).host,
    iamUrl: listening.origin,
    signJwtCalls: [],
    metadataCalls: [],
    close: () => listening.close(),
  }
  return standIn
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/text', 'metadata-flavor': 'Google' })
  res.end(body)
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' })
  res.end(JSON.stringify(body))
}

const STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 500: 'INTERNAL' }

function googleError(res: ServerResponse, code: number, message: string): void {
  json(res, code, { error: { code, message, status: STATUS[code] ?? 'UNKNOWN' } })
}
