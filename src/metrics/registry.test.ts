import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ProxyError } from '../errors.js'
import type { SessionStore } from '../session/store.js'
import { instrumentFetch, instrumentStore } from './instrument.js'
import { createMetrics } from './registry.js'

const routes = { proxyPrefix: '/oauth2', pingPath: '/ping', readyPath: '/ready' }

/** The value of one sample line of the scrape, or undefined. */
function sample(text: string, line: string): number | undefined {
  const hit = text.split('\n').find((l) => l.startsWith(`${line} `))
  return hit === undefined ? undefined : Number(hit.slice(line.length + 1))
}

describe('metrics registry', () => {
  it('classifies requests by route and status class, never by raw path', async () => {
    const m = createMetrics(routes, { processMetrics: false })
    for (const [path, status] of [['/oauth2/callback', 302], ['/oauth2/static/css/x.css', 200], ['/ping', 200], ['/a/b?c', 404], ['/oauth2/auth', 401]] as const) {
      m.requestStarted()
      m.requestFinished(path, 'GET', status, 0.01)
    }
    const { body } = await m.scrape()
    assert.equal(sample(body, 'gatehouse_http_requests_total{route="callback",status_class="3xx"}'), 1)
    assert.equal(sample(body, 'gatehouse_http_requests_total{route="static",status_class="2xx"}'), 1)
    assert.equal(sample(body, 'gatehouse_http_requests_total{route="ping",status_class="2xx"}'), 1)
    assert.equal(sample(body, 'gatehouse_http_requests_total{route="proxy",status_class="4xx"}'), 1)
    assert.equal(sample(body, 'gatehouse_http_requests_total{route="auth",status_class="4xx"}'), 1)
    assert.equal(sample(body, 'oauth2_proxy_requests_total{code="302"}'), 1)
    assert.equal(sample(body, 'oauth2_proxy_requests_in_flight'), 0)
    assert.equal(sample(body, 'oauth2_proxy_response_duration_seconds_count{method="get"}'), 5)
    assert.doesNotMatch(body, /\/a\/b/)
  })

  it('folds unknown methods into one label value', async () => {
    const m = createMetrics(routes, { processMetrics: false })
    for (const method of ['PROPFIND', 'MKCOL', 'Get']) m.requestFinished('/', method, 200, 0.001)
    const { body } = await m.scrape()
    assert.equal(sample(body, 'oauth2_proxy_response_duration_seconds_count{method="other"}'), 2)
    assert.equal(sample(body, 'oauth2_proxy_response_duration_seconds_count{method="get"}'), 1)
  })

  it('counts failed session store calls by operation and passes the error on', async () => {
    const m = createMetrics(routes, { processMetrics: false })
    const down = new ProxyError('ERR_SESSION_STORE_UNAVAILABLE', 503, 'redis down')
    const failing: SessionStore = {
      load: () => Promise.reject(down),
      save: () => Promise.resolve([]),
      clear: () => Promise.reject(down),
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    }
    const store = instrumentStore(failing, m)
    assert.equal(store.lock, undefined, 'a store without a lock stays without one')
    await assert.rejects(async () => store.load({}, 0), (err) => err === down)
    await assert.rejects(store.clear({}, 'h'), (err) => err === down)
    await store.save({}, { user: 'u' } as never, 'h', 0)
    const { body } = await m.scrape()
    assert.equal(sample(body, 'gatehouse_session_store_errors_total{operation="load"}'), 1)
    assert.equal(sample(body, 'gatehouse_session_store_errors_total{operation="clear"}'), 1)
    assert.equal(sample(body, 'gatehouse_session_store_errors_total{operation="save"}'), 0)
  })

  it('times IdP calls by operation and outcome, without the URL', async () => {
    const m = createMetrics(routes, { processMetrics: false })
    const fake = ((input: string, init?: { method?: string }) =>
      input.includes('down') ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(new Response('{}', { status: init?.method === 'POST' ? 400 : 200 }))) as unknown as typeof fetch
    const f = instrumentFetch(fake, m)
    await f('https://idp.example/tenant-7/.well-known/openid-configuration')
    await f('https://idp.example/token', { method: 'POST' })
    await assert.rejects(f('https://down.example/jwks'))
    const { body } = await m.scrape()
    assert.equal(sample(body, 'gatehouse_idp_request_duration_seconds_count{operation="discovery",outcome="2xx"}'), 1)
    assert.equal(sample(body, 'gatehouse_idp_request_duration_seconds_count{operation="token",outcome="4xx"}'), 1)
    assert.equal(sample(body, 'gatehouse_idp_request_duration_seconds_count{operation="other",outcome="error"}'), 1)
    assert.doesNotMatch(body, /idp\.example|tenant-7/)
  })
})
