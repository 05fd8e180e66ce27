// --metrics-address and --metrics-secure-address through the real process: the scrape is parsed with a real
// Prometheus text parser; counters move with sign-ins, 401s, proxied requests and refreshes; label sets stay
// bounded under random paths; no token, cookie or secret ever appears in a scrape.
import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { get as httpsGet } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format'
import { request } from 'undici'
import { joinCookie } from '../../src/cookies/chunk.js'
import { cookieSecretKeys } from '../../src/crypto/cookie-secret.js'
import { openSignedValue } from '../../src/crypto/signed-value.js'
import { openCookieSession } from '../../src/session/session-codec.js'
import type { HttpClient } from '../helpers/http.js'
import { freePort } from '../helpers/process.js'
import { startStack, type Stack } from '../helpers/stack.js'

const OURS = /^(oauth2_proxy_|gatehouse_)/

describe('Prometheus metrics (--metrics-address, --metrics-secure-address)', () => {
  let stack: Stack
  let metricsPort: number
  let securePort: number
  let dir: string
  let ca: Buffer

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-metrics-'))
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')]
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' })
    ca = await readFile(cert)
    ;[metricsPort, securePort] = await Promise.all([freePort(), freePort()])
    stack = await startStack({
      args: [
        `--metrics-address=127.0.0.1:${metricsPort}`,
        `--metrics-secure-address=127.0.0.1:${securePort}`,
        `--metrics-tls-cert-file=${cert}`,
        `--metrics-tls-key-file=${key}`,
        '--cookie-refresh=1s',
        '--scope=openid email profile offline_access',
      ],
    })
  })
  after(async () => {
    await stack?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  async function scrapeText(): Promise<{ status: number; contentType: string; body: string }> {
    const res = await request(`http://127.0.0.1:${metricsPort}/metrics`)
    return { status: res.statusCode, contentType: String(res.headers['content-type']), body: await res.body.text() }
  }
  /**
   * The scrape as flat samples: the parser keeps only `le` on histogram samples and drops their other labels, so
   * histograms are read as untyped `_bucket`, `_sum` and `_count` series (types are checked on the plain parse).
   */
  async function scrape(): Promise<PrometheusFamily[]> {
    const { status, body } = await scrapeText()
    assert.equal(status, 200)
    return parsePrometheusTextFormat(body.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'))
  }
  /** Sum of the samples of `name` whose labels include `labels` (for a histogram, name its `_count`). */
  function total(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number {
    let sum = 0
    // Read untyped, one histogram's series come as several families of the same name (the name alternates).
    for (const m of families.filter((f) => f.name === name).flatMap((f) => f.metrics)) {
      if (Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) sum += Number(m.value ?? 0)
    }
    return sum
  }
  /** Scrapes until `check` passes on the growth since `before` (bounded: the last request's 'close' may trail its answer). */
  async function eventually(beforeScrape: PrometheusFamily[], check: (now: PrometheusFamily[], grew: (name: string, labels?: Record<string, string>) => number) => void): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const now = await scrape()
      try {
        check(now, (name, labels) => total(now, name, labels) - total(beforeScrape, name, labels))
        return
      } catch (err) {
        if (attempt >= 20) throw err
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  }
  function sessionTokens(client: HttpClient): string[] {
    const cookies: Record<string, string> = {}
    for (const c of client.jar.list(stack.proxy.url)) cookies[c.name] = c.value
    const value = joinCookie('_oauth2_proxy', cookies)
    assert.ok(value !== undefined)
    const { hmacKey, aesKey } = cookieSecretKeys(stack.cookieSecret)
    const opened = openSignedValue('_oauth2_proxy', value, hmacKey, 7 * 24 * 3600 * 1000, Date.now())
    assert.ok(opened !== undefined)
    const session = openCookieSession(opened.payload, aesKey)
    assert.ok(session?.accessToken)
    return [value, session.accessToken, session.refreshToken ?? '', session.idToken ?? ''].filter((t) => t.length >= 16)
  }

  it('serves Prometheus text with oauth2-proxy\'s metric names and types, and ours', async () => {
    const { status, contentType, body } = await scrapeText()
    assert.equal(status, 200)
    assert.match(contentType, /^text\/plain; version=0\.0\.4/)
    const families = parsePrometheusTextFormat(body)
    const types = Object.fromEntries(families.map((f) => [f.name, f.type]))
    assert.equal(types['oauth2_proxy_requests_total'], 'COUNTER')
    assert.equal(types['oauth2_proxy_requests_in_flight'], 'GAUGE')
    assert.equal(types['oauth2_proxy_response_duration_seconds'], 'HISTOGRAM')
    assert.equal(types['gatehouse_http_requests_total'], 'COUNTER')
    assert.equal(types['gatehouse_auth_decisions_total'], 'COUNTER')
    assert.equal(types['gatehouse_session_refreshes_total'], 'COUNTER')
    assert.equal(types['gatehouse_idp_request_duration_seconds'], 'HISTOGRAM')
    assert.equal(types['gatehouse_upstream_response_duration_seconds'], 'HISTOGRAM')
    assert.equal(types['gatehouse_session_store_errors_total'], 'COUNTER')
    assert.equal(types['process_cpu_user_seconds_total'], 'COUNTER', 'process metrics, like the Go client\'s')
    // Every refresh outcome and store operation is present from the start, at zero.
    const refresh = families.find((f) => f.name === 'gatehouse_session_refreshes_total')
    assert.deepEqual(refresh?.metrics.map((m) => m.labels?.['outcome']).sort(), ['failed', 'not_refreshable', 'revoked', 'success'])
    assert.equal(total(families, 'gatehouse_session_store_errors_total'), 0)
  })

  it('serves only GET /metrics on the metrics listener, and the same scrape over HTTPS', async () => {
    const other = await request(`http://127.0.0.1:${metricsPort}/`)
    assert.equal(other.statusCode, 404)
    await other.body.dump()
    const post = await request(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST', body: 'x' })
    assert.equal(post.statusCode, 405)
    await post.body.dump()
    const secure = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpsGet({ host: '127.0.0.1', port: securePort, path: '/metrics', ca }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }).on('error', reject)
    })
    assert.equal(secure.status, 200)
    assert.ok(parsePrometheusTextFormat(secure.body).some((f) => f.name === 'oauth2_proxy_requests_total'))
  })

  it('does not serve metrics on the main port', async () => {
    const anonymous = await stack.client().get(`${stack.proxy.url}/metrics`, { headers: { accept: 'application/json' } })
    assert.equal(anonymous.status, 401)
    const { client } = await stack.signIn('bob')
    const signedIn = await client.get(`${stack.proxy.url}/metrics`)
    assert.equal(signedIn.status, 200, 'a signed-in request to /metrics goes to the upstream')
    assert.doesNotMatch(signedIn.body, /oauth2_proxy_requests_total/)
  })

  it('counts a 401, a sign-in and a proxied request', async () => {
    const before = await scrape()
    const denied = await stack.client().get(`${stack.proxy.url}/api/thing`, { headers: { accept: 'application/json' } })
    assert.equal(denied.status, 401)
    const { client, result } = await stack.signIn('alice', '/landing')
    assert.ok(result)
    const proxied = await client.get(`${stack.proxy.url}/proxied`)
    assert.equal(proxied.status, 200)
    await eventually(before, (_now, grew) => {
      assert.ok(grew('oauth2_proxy_requests_total', { code: '401' }) >= 1, '401 counted by code')
      assert.ok(grew('oauth2_proxy_requests_total', { code: '200' }) >= 1, '200 counted by code')
      assert.ok(grew('oauth2_proxy_response_duration_seconds_count', { method: 'get' }) >= 3, 'durations by lower-case method')
      assert.ok(grew('gatehouse_http_requests_total', { route: 'proxy', status_class: '4xx' }) >= 1)
      assert.ok(grew('gatehouse_http_requests_total', { route: 'proxy', status_class: '2xx' }) >= 1)
      assert.equal(grew('gatehouse_http_requests_total', { route: 'callback', status_class: '3xx' }), 1, 'one callback redirect')
      assert.ok(grew('gatehouse_auth_decisions_total', { result: 'needs_login', reason: 'no_cookie' }) >= 1)
      assert.ok(grew('gatehouse_auth_decisions_total', { result: 'ok', reason: 'session' }) >= 1)
      assert.ok(grew('gatehouse_idp_request_duration_seconds_count', { operation: 'token', outcome: '2xx' }) >= 1, 'the code exchange is timed')
      assert.ok(grew('gatehouse_upstream_response_duration_seconds_count', { upstream: '/', outcome: 'ok' }) >= 1, 'upstream latency observed')
      assert.equal(total(_now, 'oauth2_proxy_requests_in_flight'), 0, 'nothing left in flight')
    })
  })

  it('counts a successful refresh', async () => {
    const { client } = await stack.signIn('alice')
    const before = await scrape()
    await new Promise((r) => setTimeout(r, 2100))
    const res = await client.get(`${stack.proxy.url}/after-refresh`)
    assert.equal(res.status, 200)
    assert.ok(res.setCookies.some((c) => c.startsWith('_oauth2_proxy=')), 'the session was refreshed')
    await eventually(before, (_now, grew) => {
      assert.equal(grew('gatehouse_session_refreshes_total', { outcome: 'success' }), 1)
      assert.ok(grew('gatehouse_idp_request_duration_seconds_count', { operation: 'token' }) >= 1, 'the refresh grant is timed')
    })
  })

  it('keeps label sets bounded after 200 requests to random paths and methods', async () => {
    const { client } = await stack.signIn('alice')
    const seen = new Set<string>()
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND']
    for (let i = 0; i < 200; i++) {
      const marker = `rnd${randomBytes(6).toString('hex')}`
      seen.add(marker)
      const url = `${stack.proxy.url}/${marker}/${marker}?${marker}=${marker}`
      const who = i % 2 === 0 ? client : stack.client()
      await who.request(methods[i % methods.length] ?? 'GET', url, { headers: { accept: 'application/json', 'user-agent': marker, host: `${marker}.example` } })
    }
    const { body } = await scrapeText()
    for (const marker of seen) assert.ok(!body.includes(marker), `no request-derived value in the scrape (${marker})`)
    assert.ok(!/alice|bob|carol/.test(body), 'no user names in the scrape')
    const families = parsePrometheusTextFormat(body.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped')).filter((f) => OURS.test(f.name))
    const series = (name: string): number => families.filter((f) => f.name === name).reduce((n, f) => n + f.metrics.length, 0)
    assert.ok(series('gatehouse_http_requests_total') <= 11 * 5, 'route class × status class at most')
    assert.ok(series('oauth2_proxy_requests_total') <= 10, 'a handful of status codes')
    const methodSeries = series('oauth2_proxy_response_duration_seconds_count')
    assert.ok(methodSeries >= 7 && methodSeries <= 10, `one series per method, unknown methods folded (${methodSeries})`)
    assert.ok(series('gatehouse_auth_decisions_total') <= 12)
    assert.ok(series('gatehouse_upstream_response_duration_seconds_count') <= 2, 'one configured upstream, two outcomes')
  })

  it('never shows tokens, cookies or secrets in a scrape', async () => {
    const { client } = await stack.signIn('alice')
    const secrets = [...sessionTokens(client), stack.cookieSecret, 'gatehouse-secret', 'alice-password']
    await client.get(`${stack.proxy.url}/oauth2/callback?code=${secrets[1]}&state=x`)
    await stack.client().get(`${stack.proxy.url}/api`, { headers: { authorization: `Bearer ${secrets[1]}`, accept: 'application/json' } })
    const { body } = await scrapeText()
    for (const secret of secrets) assert.ok(!body.includes(secret), 'a secret leaked into the scrape')
    assert.doesNotMatch(body, /_oauth2_proxy/)
  })

  // Last: it stops the process.
  it('stops the metrics listeners with the server on SIGTERM, even with a kept-alive scrape connection', async () => {
    assert.equal((await scrapeText()).status, 200, 'undici keeps this connection open')
    assert.equal(await stack.proxy.stop('SIGTERM'), 0)
    assert.match(stack.proxy.logs(), /server\.stopped/)
    await assert.rejects(request(`http://127.0.0.1:${metricsPort}/metrics`, { reset: true }), /ECONNREFUSED|closed|other side/i)
  })
})
