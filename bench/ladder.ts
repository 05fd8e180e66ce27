// The cost ladder: the bare proxy with gatehouse's own layers added one at a time, each rung in its own process, so
// that `npm run bench` shows what each layer costs in CPU µs per request. Each rung uses gatehouse's real modules
// (the forwarder, the header builder, the cookie session store, the rules, the access log), not copies of them:
//   1 bare proxy (undici request() and a piped body) · 2 gatehouse's forwarder instead (undici dispatch, the answer
//   written straight into the response) · 3 + identity headers · 4 + cookie session decode · 5 + rules ·
//   6 + access log · 7 is gatehouse.
import { spawn } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { parse as parseCookies } from 'cookie'
import { childServer, type ChildServer } from './child-server.js'
import { createAuthorizer } from '../src/auth/authorize.js'
import { createEmailRules } from '../src/auth/email-rules.js'
import { createCookieJar } from '../src/cookies/jar.js'
import { cookieSecretKeys } from '../src/crypto/cookie-secret.js'
import { createHeaderInjector, injectorPlanFromFlags } from '../src/headers/inject.js'
import type { RequestContext } from '../src/http/context.js'
import { createAccessLog } from '../src/log/access-log.js'
import { createLoggers } from '../src/log/logger.js'
import { createCookieStore } from '../src/session/cookie-store.js'
import type { Session } from '../src/session/session.js'
import { createForwarder } from '../src/upstream/forward.js'
import { createUpstreamTable } from '../src/upstream/table.js'

/** The rungs between the bare proxy (1) and gatehouse (7), by the layer each adds (rung 2 replaces the relay). */
export const RUNGS = [
  { rung: 2, name: 'with gatehouse\'s forwarder' },
  { rung: 3, name: '+ identity headers' },
  { rung: 4, name: '+ cookie session decode' },
  { rung: 5, name: '+ rules' },
  { rung: 6, name: '+ access log' },
] as const

/** Rung 2's one header, as the bare proxy sets it. */
const BARE_HEADERS = Object.freeze({ 'x-forwarded-user': 'bare' })

/** The session rung 3 sends for every request: the headers without reading a cookie. */
const FIXED_SESSION: Session = Object.freeze({ user: 'alice', email: 'alice@example.com', groups: ['admins', 'developers'], preferredUsername: 'alice' })

/** Serves rung `rung` on `port` in front of 127.0.0.1:`upstreamPort`; `cookieSecret` opens the bench's sessions. */
function serveRung(rung: number, port: number, upstreamPort: number, cookieSecret: string): void {
  const forwarder = createForwarder({ passHostHeader: true, insecureSkipVerify: false, timeoutMs: 30_000, flushIntervalMs: 1_000, keepAlive: true, proxyWebSockets: false })
  const target = createUpstreamTable([`http://127.0.0.1:${upstreamPort}/`]).targets[0]
  if (target === undefined) throw new Error('no upstream target')
  const headers = createHeaderInjector(injectorPlanFromFlags({
    passUserHeaders: true,
    passBasicAuth: false,
    basicAuthPassword: '',
    passAccessToken: false,
    passAuthorizationHeader: false,
    setXAuthRequest: true,
    setBasicAuth: false,
    setAuthorizationHeader: false,
    preferEmailToUser: false,
    stripHeaders: true,
  }))
  const jar = createCookieJar({ name: '_oauth2_proxy', domains: [], path: '/', expireMs: 168 * 3600_000, secure: false, httpOnly: true, sameSite: '', csrfExpireMs: 900_000, csrfSameSite: '' })
  const store = createCookieStore({ jar, ...cookieSecretKeys(cookieSecret), minimal: false })
  const authorizer = createAuthorizer({ emailRules: createEmailRules({ domains: ['*'] }), allowedGroups: [], skipAuthPreflight: false, isSkipAuthRoute: () => false, trustedIps: undefined })
  const accessLog = rung >= 6 ? createAccessLog(createLoggers().access, { enabled: true, excludePaths: [], silencePaths: [] }) : undefined

  const forward = (req: IncomingMessage, res: ServerResponse, setHeaders: Readonly<Record<string, string>>, removeHeaders: string[], done: () => void): void => {
    res.once('finish', done)
    forwarder.forward(req, res, target, { setHeaders, removeHeaders, responseHeaders: {} }).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 502
        res.end()
      }
    })
  }

  createServer((req, res) => {
    const startedAt = performance.now()
    const url = req.url ?? '/'
    const done = (): void => accessLog?.({ id: '', origin: { clientIp: req.socket.remoteAddress ?? '' }, user: 'alice', req, res, rawUrl: url, pathname: url, startedAt } as unknown as RequestContext)
    if (rung === 2) return forward(req, res, BARE_HEADERS, [], done)
    if (rung === 3) return forward(req, res, headers.upstreamHeaders(FIXED_SESSION), headers.headersToStrip(req.headers), done)
    const cookies = req.headers.cookie === undefined ? {} : (parseCookies(req.headers.cookie, { decode: (v) => v }) as Record<string, string>)
    // The cookie store reads a session at once (from its decoded copy after the first request).
    const loaded = store.load(cookies, Date.now())
    if (loaded instanceof Promise) throw new Error('the cookie store answered with a promise')
    if (loaded.kind !== 'ok' || (rung >= 5 && (authorizer.allowedWithoutSession({ method: req.method ?? 'GET', path: url, clientIp: '' }) !== undefined || !authorizer.authorizeSession(loaded.session).ok))) {
      res.statusCode = 401
      res.end()
      return done()
    }
    forward(req, res, headers.upstreamHeaders(loaded.session), headers.headersToStrip(req.headers), done)
  }).listen(port, '127.0.0.1')
}

/** Starts rung `rung` in a child process and waits until it answers a request carrying `cookie`. */
export function startRung(rung: number, port: number, upstreamPort: number, cookieSecret: string, cookie: string): Promise<ChildServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), String(rung), String(port), String(upstreamPort), cookieSecret], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return childServer(proc, port, `rung ${rung}`, { headers: { cookie }, needOk: true })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [rung, port, upstreamPort, secret] = process.argv.slice(2)
  serveRung(Number(rung), Number(port), Number(upstreamPort), secret ?? '')
}
