import type { Metric, Registry } from 'prom-client'
import { createFastCounter, createFastGauge, createFastHistogram, type FastCounterChild, type FastHistogramChild } from './fast-metrics.js'

/** Where a request went, as a bounded label: never the raw path. */
export const ROUTE_CLASSES = ['proxy', 'auth', 'sign_in', 'start', 'callback', 'sign_out', 'userinfo', 'static', 'ping', 'ready', 'robots'] as const
export type RouteClass = (typeof ROUTE_CLASSES)[number]

/** Outcomes of a due session refresh. */
export const REFRESH_OUTCOMES = ['success', 'failed', 'revoked', 'not_refreshable'] as const
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number]

/** Ways sessions are ended from outside the browser that holds them, and their outcomes. */
export const LOGOUT_KINDS = ['backchannel', 'sign_out_all', 'admin', 'idle'] as const
export type LogoutKind = (typeof LOGOUT_KINDS)[number]
export const LOGOUT_OUTCOMES = ['done', 'invalid', 'replayed', 'unavailable', 'unsupported', 'forbidden'] as const
export type LogoutOutcome = (typeof LOGOUT_OUTCOMES)[number]

/** The session store calls whose failures are counted. */
export const STORE_OPERATIONS = ['load', 'save', 'clear', 'lock', 'ping'] as const
export type StoreOperation = (typeof STORE_OPERATIONS)[number]

/** Outcomes of a configuration reload: swapped in, refused (invalid, or a restart-only option changed), or failed. */
export const RELOAD_OUTCOMES = ['ok', 'refused', 'failed'] as const
export type ReloadOutcome = (typeof RELOAD_OUTCOMES)[number]

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
  /** A configuration reload ended with this outcome. */
  configReload(outcome: ReloadOutcome): void
  /** The endpoint paths a reloaded configuration serves, for the route classes. */
  setRoutes(routes: RouteSettings): void
  /** A back-channel logout, sign-out everywhere, admin revocation or idle end, by outcome. */
  logout(kind: LogoutKind, outcome: LogoutOutcome): void
  /** The Prometheus text exposition and its content type. */
  scrape(): Promise<{ body: string; contentType: string }>
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const
/** Methods Node's parser accepts are already a closed set; anything else is folded into one value anyway. */
const KNOWN_METHODS = new Set(['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'connect', 'trace'])
/** prom-client's default buckets, which oauth2_proxy_response_duration_seconds always had. */
const PROM_CLIENT_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Seconds: from a fast local upstream to the provider timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** prom-client, loaded on first need: a process without a metrics listener never loads it. */
async function loadPromClient(): Promise<typeof import('prom-client')> {
  const mod = (await import('prom-client')) as typeof import('prom-client') & { default?: typeof import('prom-client') }
  return mod.default ?? mod
}

/**
 * Creates the process's metrics with oauth2-proxy's request metrics and gatehouse's own; wraps prom-client. Every
 * metric is a plain-number one (fast-metrics.ts); prom-client's Registry, which formats them and adds the process
 * metrics, is loaded at once when `processMetrics` or `clusterWorker` is set (a metrics listener is configured) and
 * otherwise only if something scrapes.
 */
export function createMetrics(routes: RouteSettings, options: { processMetrics?: boolean; clusterWorker?: boolean } = {}): Metrics {
  // oauth2-proxy's names and labels (pkg/middleware/metrics.go); promhttp writes `code` as digits and `method` lower-case.
  const requestsTotal = createFastCounter('oauth2_proxy_requests_total', 'Total number of requests by HTTP status code.', ['code'])
  const inFlight = createFastGauge('oauth2_proxy_requests_in_flight', 'Current number of requests being served.')
  const duration = createFastHistogram('oauth2_proxy_response_duration_seconds', 'A histogram of request latencies.', ['method'], PROM_CLIENT_DEFAULT_BUCKETS)

  const byRoute = createFastCounter('gatehouse_http_requests_total', 'Requests by route class and status class.', ['route', 'status_class'])
  const decisions = createFastCounter('gatehouse_auth_decisions_total', 'Authentication and authorization decisions by result and reason.', ['result', 'reason'])
  const refreshes = createFastCounter('gatehouse_session_refreshes_total', 'Due session refreshes by outcome.', ['outcome'])
  const idp = createFastHistogram('gatehouse_idp_request_duration_seconds', 'Calls to the identity provider by operation and outcome.', ['operation', 'outcome'], LATENCY_BUCKETS)
  const upstream = createFastHistogram('gatehouse_upstream_response_duration_seconds', 'Time to the upstream response headers by upstream and outcome.', ['upstream', 'outcome'], LATENCY_BUCKETS)
  const storeErrors = createFastCounter('gatehouse_session_store_errors_total', 'Session store calls that failed, by operation.', ['operation'])
  const reloads = createFastCounter('gatehouse_config_reloads_total', 'Configuration reloads (SIGHUP, --watch-config) by outcome.', ['outcome'])
  const logouts = createFastCounter('gatehouse_session_logouts_total', 'Sessions ended from outside the browser (back-channel logout, sign-out everywhere, admin, idle), by kind and outcome.', ['kind', 'outcome'])
  const all = [requestsTotal, inFlight, duration, byRoute, decisions, refreshes, idp, upstream, storeErrors, reloads, logouts]

  let registry: Promise<Registry> | undefined
  const registryReady = (): Promise<Registry> =>
    (registry ??= loadPromClient().then((prom) => {
      const r = new prom.Registry()
      if (options.processMetrics !== false) prom.collectDefaultMetrics({ register: r })
      for (const m of all) r.registerMetric(m as unknown as Metric)
      if (options.clusterWorker === true) {
        // A `--workers` process: the primary asks every worker for this registry over the cluster IPC and sums them.
        prom.AggregatorRegistry.setRegistries([r])
        new prom.AggregatorRegistry()
      }
      return r
    }))
  if (options.processMetrics !== false || options.clusterWorker === true) void registryReady()

  // Children are created once so the per-request path does no label lookups.
  const routeChildren = ROUTE_CLASSES.map((route) => STATUS_CLASSES.map((cls) => byRoute.labels(route, cls)))
  const codeChildren = new Map<number, FastCounterChild>()
  const methodChildren = new Map<string, FastHistogramChild>()
  // Keyed by the method as Node gives it (upper case) and lower-cased, so the common case needs no toLowerCase().
  for (const m of KNOWN_METHODS) {
    const child = duration.labels(m)
    methodChildren.set(m, child)
    methodChildren.set(m.toUpperCase(), child)
  }
  const otherMethod = duration.labels('other')
  const decisionChildren = new Map<string, FastCounterChild>()
  const upstreamChildren = new Map<string, FastHistogramChild>()
  const refreshChildren = new Map(REFRESH_OUTCOMES.map((o) => [o, refreshes.labels(o)] as const))
  const storeChildren = new Map(STORE_OPERATIONS.map((o) => [o, storeErrors.labels(o)] as const))
  for (const o of REFRESH_OUTCOMES) refreshes.labels(o).inc(0)
  for (const o of STORE_OPERATIONS) storeErrors.labels(o).inc(0)
  const reloadChildren = new Map(RELOAD_OUTCOMES.map((o) => [o, reloads.labels(o)] as const))
  for (const o of RELOAD_OUTCOMES) reloads.labels(o).inc(0)

  let exact = exactRoutes(routes)
  let staticPrefix = `${routes.proxyPrefix}/static/`
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
      const timing = methodChildren.get(method) ?? methodChildren.get(method.toLowerCase()) ?? otherMethod
      timing.observe(seconds)
      const cls = Math.min(4, Math.max(0, Math.floor(status / 100) - 1))
      routeChildren[routeIndex(pathname)]?.[cls]?.inc()
    },
    authDecision(result, reason) {
      // Both come from fixed sets (results, reasons, rule names), so the children stay bounded.
      const key = `${result} ${reason}`
      let child = decisionChildren.get(key)
      if (child === undefined) {
        child = decisions.labels(result, reason)
        decisionChildren.set(key, child)
      }
      child.inc()
    },
    refresh: (outcome) => refreshChildren.get(outcome)?.inc(),
    idpCall: (operation, outcome, seconds) => idp.labels(operation, outcome).observe(seconds),
    upstreamResponse(id, outcome, seconds) {
      // Upstream ids come from the config.
      const key = `${outcome} ${id}`
      let child = upstreamChildren.get(key)
      if (child === undefined) {
        child = upstream.labels(id, outcome)
        upstreamChildren.set(key, child)
      }
      child.observe(seconds)
    },
    storeError: (operation) => storeChildren.get(operation)?.inc(),
    configReload: (outcome) => reloadChildren.get(outcome)?.inc(),
    setRoutes(next) {
      exact = exactRoutes(next)
      staticPrefix = `${next.proxyPrefix}/static/`
    },
    // Both labels come from the fixed lists above.
    logout: (kind, outcome) => logouts.labels(kind, outcome).inc(),
    async scrape() {
      const r = await registryReady()
      return { body: await r.metrics(), contentType: r.contentType }
    },
  }
}

/** The endpoint paths, each with the index of its route class. */
function exactRoutes(routes: RouteSettings): Map<string, number> {
  const prefix = routes.proxyPrefix
  return new Map<string, number>([
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
}

/**
 * The primary's scrape under `--workers`: every worker's registry, fetched over the cluster IPC and merged by
 * prom-client's AggregatorRegistry (counters and histograms summed per label set; process metrics by their aggregator).
 */
export function createClusterScrape(): Pick<Metrics, 'scrape'> {
  let aggregator: Promise<{ clusterMetrics(): Promise<string>; contentType: string }> | undefined
  return {
    async scrape() {
      aggregator ??= loadPromClient().then((prom) => new prom.AggregatorRegistry())
      const a = await aggregator
      return { body: await a.clusterMetrics(), contentType: a.contentType }
    },
  }
}
