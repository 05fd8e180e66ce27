import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/** Where a request went, as a bounded label: never the raw path. */
export const ROUTE_CLASSES = ['proxy', 'auth', 'sign_in', 'start', 'callback', 'sign_out', 'userinfo', 'static', 'ping', 'ready', 'robots'] as const
export type RouteClass = (typeof ROUTE_CLASSES)[number]

/** Outcomes of a due session refresh. */
export const REFRESH_OUTCOMES = ['success', 'failed', 'revoked', 'not_refreshable'] as const
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number]

/** The session store calls whose failures are counted. */
export const STORE_OPERATIONS = ['load', 'save', 'clear', 'lock', 'ping'] as const
export type StoreOperation = (typeof STORE_OPERATIONS)[number]

/** Kinds of calls to the identity provider (bounded: never its URL). */
export type IdpOperation = 'discovery' | 'token' | 'other'

/** The paths whose requests are classified; everything else is `proxy`. */
export interface RouteSettings {
  proxyPrefix: string
  pingPath: string
  readyPath: string
}

/** What the rest of the process records; every label value comes from a fixed set or the config. */
export interface Metrics {
  /** A request arrived on the main listener. */
  requestStarted(): void
  /** A request on the main listener is done (answered or abandoned). */
  requestFinished(pathname: string, method: string, status: number, seconds: number): void
  /** The proxy's decision about a request: `result` allowed/ok/needs_login/denied and a bounded reason. */
  authDecision(result: string, reason: string): void
  refresh(outcome: RefreshOutcome): void
  idpCall(operation: IdpOperation, outcome: string, seconds: number): void
  /** Time to the upstream's response headers; `upstream` is the configured upstream id. */
  upstreamResponse(upstream: string, outcome: 'ok' | 'error', seconds: number): void
  storeError(operation: StoreOperation): void
  /** The Prometheus text exposition and its content type. */
  scrape(): Promise<{ body: string; contentType: string }>
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const
/** Methods Node's parser accepts are already a closed set; anything else is folded into one value anyway. */
const KNOWN_METHODS = new Set(['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'connect', 'trace'])
/** Seconds: from a fast local upstream to the provider timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Creates the process's Prometheus registry with oauth2-proxy's request metrics and gatehouse's own; wraps prom-client. */
export function createMetrics(routes: RouteSettings, options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry()
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry })
  const registers = [registry]

  // oauth2-proxy's names and labels (pkg/middleware/metrics.go); promhttp writes `code` as digits and `method` lower-case.
  const requestsTotal = new Counter({ name: 'oauth2_proxy_requests_total', help: 'Total number of requests by HTTP status code.', labelNames: ['code'], registers })
  const inFlight = new Gauge({ name: 'oauth2_proxy_requests_in_flight', help: 'Current number of requests being served.', registers })
  const duration = new Histogram({ name: 'oauth2_proxy_response_duration_seconds', help: 'A histogram of request latencies.', labelNames: ['method'], registers })

  const byRoute = new Counter({ name: 'gatehouse_http_requests_total', help: 'Requests by route class and status class.', labelNames: ['route', 'status_class'], registers })
  const decisions = new Counter({ name: 'gatehouse_auth_decisions_total', help: 'Authentication and authorization decisions by result and reason.', labelNames: ['result', 'reason'], registers })
  const refreshes = new Counter({ name: 'gatehouse_session_refreshes_total', help: 'Due session refreshes by outcome.', labelNames: ['outcome'], registers })
  const idp = new Histogram({ name: 'gatehouse_idp_request_duration_seconds', help: 'Calls to the identity provider by operation and outcome.', labelNames: ['operation', 'outcome'], buckets: LATENCY_BUCKETS, registers })
  const upstream = new Histogram({ name: 'gatehouse_upstream_response_duration_seconds', help: 'Time to the upstream response headers by upstream and outcome.', labelNames: ['upstream', 'outcome'], buckets: LATENCY_BUCKETS, registers })
  const storeErrors = new Counter({ name: 'gatehouse_session_store_errors_total', help: 'Session store calls that failed, by operation.', labelNames: ['operation'], registers })

  // Children are created once so the per-request path does no label lookups.
  const routeChildren = ROUTE_CLASSES.map((route) => STATUS_CLASSES.map((cls) => byRoute.labels(route, cls)))
  const codeChildren = new Map<number, ReturnType<typeof requestsTotal.labels>>()
  const methodChildren = new Map<string, ReturnType<typeof duration.labels>>()
  for (const m of KNOWN_METHODS) methodChildren.set(m, duration.labels(m))
  const refreshChildren = new Map(REFRESH_OUTCOMES.map((o) => [o, refreshes.labels(o)] as const))
  const storeChildren = new Map(STORE_OPERATIONS.map((o) => [o, storeErrors.labels(o)] as const))
  for (const o of REFRESH_OUTCOMES) refreshes.labels(o).inc(0)
  for (const o of STORE_OPERATIONS) storeErrors.labels(o).inc(0)

  const prefix = routes.proxyPrefix
  const exact = new Map<string, number>([
    [`${prefix}/auth`, ROUTE_CLASSES.indexOf('auth')],
    [`${prefix}/sign_in`, ROUTE_CLASSES.indexOf('sign_in')],
    [`${prefix}/start`, ROUTE_CLASSES.indexOf('start')],
    [`${prefix}/callback`, ROUTE_CLASSES.indexOf('callback')],
    [`${prefix}/sign_out`, ROUTE_CLASSES.indexOf('sign_out')],
    [`${prefix}/userinfo`, ROUTE_CLASSES.indexOf('userinfo')],
    ['/robots.txt', ROUTE_CLASSES.indexOf('robots')],
    [routes.readyPath, ROUTE_CLASSES.indexOf('ready')],
    [routes.pingPath, ROUTE_CLASSES.indexOf('ping')],
  ])
  const staticPrefix = `${prefix}/static/`
  const staticIndex = ROUTE_CLASSES.indexOf('static')

  function routeIndex(pathname: string): number {
    const hit = exact.get(pathname)
    if (hit !== undefined) return hit
    return pathname.startsWith(staticPrefix) ? staticIndex : 0
  }

  return {
    requestStarted: () => inFlight.inc(),
    requestFinished(pathname, method, status, seconds) {
      inFlight.dec()
      let code = codeChildren.get(status)
      if (code === undefined) {
        // Node only writes statuses 100..999; the set stays bounded.
        code = requestsTotal.labels(String(status))
        codeChildren.set(status, code)
      }
      code.inc()
      const m = method.toLowerCase()
      const timing = methodChildren.get(m) ?? methodChildren.get('other') ?? duration.labels('other')
      if (!methodChildren.has('other')) methodChildren.set('other', timing)
      timing.observe(seconds)
      const cls = Math.min(4, Math.max(0, Math.floor(status / 100) - 1))
      routeChildren[routeIndex(pathname)]?.[cls]?.inc()
    },
    authDecision: (result, reason) => decisions.labels(result, reason).inc(),
    refresh: (outcome) => refreshChildren.get(outcome)?.inc(),
    idpCall: (operation, outcome, seconds) => idp.labels(operation, outcome).observe(seconds),
    upstreamResponse: (id, outcome, seconds) => upstream.labels(id, outcome).observe(seconds),
    storeError: (operation) => storeChildren.get(operation)?.inc(),
    async scrape() {
      return { body: await registry.metrics(), contentType: registry.contentType }
    },
  }
}
