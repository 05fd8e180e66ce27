import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { parse as parseCookies } from 'cookie'
import { ProxyError } from '../errors.js'
import { readForm } from '../handlers/form.js'
import { NO_CACHE_HEADERS, redirect, sendHtml, sendJson } from '../http/reply.js'
import type { Logger } from '../log/logger.js'
import type { Metrics } from '../metrics/registry.js'
import type { Revocations } from '../session/revocation.js'
import type { AdminAccess, AdminCaller } from './admin-access.js'
import { adminPage } from './admin-page.js'

export interface AdminServerOptions {
  access: AdminAccess
  revocations: Revocations
  log: Logger
  metrics: Metrics
  clock: () => number
}

const PAGE_SIZE = 50
const MAX_PAGE = 500
const HEADERS = { ...NO_CACHE_HEADERS, 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'" }

function bounded(text: string | null, fallback: number, max: number): number {
  const n = Number(text)
  return text !== null && Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback
}

/**
 * The admin listener (`--admin-address`): `GET /sessions`, `DELETE /sessions/{id}`, `DELETE /sessions?user=` for API
 * clients, and a server-rendered page at `/` with revoke buttons. Anyone not an admin gets 403 and nothing else.
 */
export function createAdminServer(options: AdminServerOptions): Server {
  const { access, revocations, log } = options
  const index = revocations.index

  function audit(caller: AdminCaller, whose: string, reason: string, sessions: number, id?: string): void {
    options.metrics.logout('admin', 'done')
    log.info({ event: 'session.revoked', by: caller.who, user: whose, reason, sessions, ...(id === undefined ? {} : { session: id }) }, 'session revoked by an admin')
  }

  async function revokeOne(caller: AdminCaller, id: string, reason: string) {
    const info = await revocations.revokeId(id, options.clock())
    if (info !== undefined) audit(caller, info.email ?? info.user ?? '', reason, 1, id)
    return info
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin')
    const caller = await access.caller(req, parseCookies(req.headers.cookie ?? '', { decode: (v) => v }) as Record<string, string>)
    if (caller === undefined) {
      options.metrics.logout('admin', 'forbidden')
      log.warn({ event: 'admin.forbidden', method: req.method, path: url.pathname }, 'admin request without rights')
      return sendJson(res, 403, { error: 'forbidden' }, HEADERS)
    }
    const user = url.searchParams.get('user') ?? undefined
    const reason = (url.searchParams.get('reason') ?? 'admin').slice(0, 200)
    const now = options.clock()
    // Every session of a user ends with either store: cookie sessions through the revocation list, which cannot count.
    if (url.pathname === '/sessions' && req.method === 'DELETE') {
      if (user === undefined || user === '') return sendJson(res, 400, { error: 'invalid_request', error_description: 'user is required' }, HEADERS)
      const ended = await revocations.revoke({ sub: user.includes('@') ? user.toLowerCase() : user, before: now }, now)
      audit(caller, user, reason, ended)
      return sendJson(res, 200, { revoked: index === undefined ? null : ended }, HEADERS)
    }
    if (index === undefined) return sendJson(res, 501, { error: 'not_implemented', error_description: 'cookie sessions live only in browsers: they cannot be listed or revoked one by one (DELETE /sessions?user= ends all of a user\'s); use --session-store-type=redis' }, HEADERS)
    const offset = bounded(url.searchParams.get('offset'), 0, Number.MAX_SAFE_INTEGER)
    const limit = bounded(url.searchParams.get('limit'), PAGE_SIZE, MAX_PAGE) || PAGE_SIZE

    if (url.pathname === '/sessions' && req.method === 'GET') return sendJson(res, 200, await index.list(user, offset, limit, now), HEADERS)
    const one = /^\/sessions\/([^/]+)$/.exec(url.pathname)
    if (one?.[1] !== undefined && req.method === 'DELETE') {
      const info = await revokeOne(caller, one[1], reason)
      return info === undefined ? sendJson(res, 404, { error: 'not_found' }, HEADERS) : sendJson(res, 200, { revoked: info }, HEADERS)
    }
    if (url.pathname === '/' && req.method === 'GET') {
      const csrf = caller.kind === 'session' ? caller.csrf : ''
      const notice = url.searchParams.get('revoked') === null ? undefined : 'Session revoked.'
      return sendHtml(res, 200, adminPage(await index.list(user, offset, limit, now), user, csrf, notice), HEADERS)
    }
    if (url.pathname === '/revoke' && req.method === 'POST') {
      const form = await readForm(req)
      if (!access.csrfOk(caller, form.get('csrf'))) return sendJson(res, 403, { error: 'forbidden' }, HEADERS)
      await revokeOne(caller, form.get('id') ?? '', 'admin page')
      return redirect(res, '/?revoked=1', 303, HEADERS)
    }
    sendJson(res, 404, { error: 'not_found' }, HEADERS)
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof ProxyError && err.status === 503 ? 503 : 500
      log.error({ event: 'admin.error', error: (err as Error).message }, 'admin request failed')
      if (!res.headersSent) sendJson(res, status, { error: status === 503 ? 'temporarily_unavailable' : 'server_error' }, HEADERS)
      else res.destroy()
    })
  })
}
