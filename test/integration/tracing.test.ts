// OpenTelemetry tracing through the real process: a real OTLP/HTTP receiver (JSON and protobuf encodings), the dev
// IdP, a real redis-server and the echo upstream. A signed-in proxied request is one trace whose spans nest as
// request > auth decision > session load > Redis GET, request > upstream; the upstream receives the same trace id,
// and the access log line names the trace. Sampling is parent-based, and the last spans are flushed on SIGTERM.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { EchoReply } from '../../src/dev/echo-app.js'
import type { HttpClient } from '../helpers/http.js'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js'
import { REPO_ROOT } from '../helpers/process.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'
import { startStack, type Stack } from '../helpers/stack.js'

const SERVER = 2
const CLIENT = 3
const INTERNAL = 1
const ERROR = 2

const newTraceparent = (): { traceId: string; parentId: string; header: string } => {
  const traceId = randomBytes(16).toString('hex')
  const parentId = randomBytes(8).toString('hex')
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` }
}

/** The one span of `trace` named `name` whose parent is `parent` (asserted unique). */
function child(trace: ReceivedSpan[], parent: ReceivedSpan, name: string): ReceivedSpan {
  const found = trace.filter((s) => s.name === name && s.parentSpanId === parent.spanId)
  assert.equal(found.length, 1, `one ${name} span under ${parent.name}; trace: ${trace.map((s) => `${s.name}<${s.parentSpanId}`).join(', ')}`)
  return found[0] as ReceivedSpan
}

/** The access-log lines (`http.request`) the proxy wrote for `path`. */
function accessLines(logs: string, path: string): Record<string, unknown>[] {
  return logs
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.event === 'http.request' && l.uri === path)
}

describe('tracing: a signed-in request through Redis sessions (OTLP/HTTP JSON)', () => {
  let receiver: OtlpReceiver
  let redis: RedisServer
  let stack: Stack
  let client: HttpClient
  before(async () => {
    ;[receiver, redis] = await Promise.all([startOtlpReceiver(), startRedis()])
    stack = await startStack({
      args: ['--session-store-type=redis', `--redis-connection-url=${redis.url}`, '--redis-client-side-cache=false', `--otel-exporter-otlp-endpoint=${receiver.url}`, '--otel-include-user', '--scope=openid email profile offline_access'],
      env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '20', OTEL_SERVICE_NAME: 'gatehouse-under-test' },
    })
    client = (await stack.signIn('alice')).client
  })
  after(async () => {
    await stack?.close()
    await Promise.allSettled([receiver?.close(), redis?.stop()])
  })

  it('continues the client trace: request > auth decision > session load > redis GET, and request > upstream', async () => {
    const parent = newTraceparent()
    const res = await client.get(`${stack.proxy.url}/traced?x=1`, { headers: { traceparent: parent.header, accept: 'application/json' } })
    assert.equal(res.status, 200)
    const upstreamSaw = res.json<EchoReply>().headers.traceparent
    const sent = new RegExp(`^00-${parent.traceId}-([0-9a-f]{16})-01$`).exec(String(upstreamSaw))
    assert.ok(sent, `the upstream received the same trace id (${String(upstreamSaw)})`)

    await receiver.waitFor((spans) => spans.some((s) => s.traceId === parent.traceId && s.kind === SERVER))
    const trace = receiver.spans.filter((s) => s.traceId === parent.traceId)
    const roots = trace.filter((s) => s.kind === SERVER)
    assert.equal(roots.length, 1)
    const root = roots[0] as ReceivedSpan
    assert.equal(root.parentSpanId, parent.parentId, 'the request span continues the incoming traceparent')
    assert.equal(root.name, 'GET')
    assert.equal(root.service, 'gatehouse-under-test')
    assert.equal(root.attributes['http.response.status_code'], 200)
    assert.equal(root.attributes['url.path'], '/traced', 'the path only: queries may carry secrets')

    const auth = child(trace, root, 'auth.decision')
    assert.equal(auth.kind, INTERNAL)
    assert.equal(auth.attributes['gatehouse.auth.result'], 'ok')
    assert.equal(auth.attributes['gatehouse.auth.rule'], 'session')
    assert.equal(auth.attributes['user.email'], 'alice@example.com', '--otel-include-user puts the user on the span')
    const load = child(trace, auth, 'session.load')
    assert.equal(load.attributes['gatehouse.session.result'], 'ok')
    const get = child(trace, load, 'redis GET')
    assert.equal(get.kind, CLIENT)
    assert.equal(get.attributes['db.system.name'], 'redis')

    const upstream = child(trace, root, 'upstream')
    assert.equal(upstream.kind, CLIENT)
    assert.equal(upstream.attributes['http.response.status_code'], 200)
    assert.equal(sent[1], upstream.spanId, "the upstream's traceparent names the upstream span as its parent")
    assert.equal(trace.length, 5, `exactly these spans: ${trace.map((s) => s.name).join(', ')}`)

    const [line] = accessLines(await stack.proxy.waitForLog('"uri":"/traced?x=1"'), '/traced?x=1')
    assert.ok(line, 'the request was logged')
    assert.equal(line.traceId, parent.traceId)
    assert.equal(line.spanId, root.spanId, 'the access line leads to the request span')
  })

  it('starts a new trace without a traceparent, and marks refused requests', async () => {
    const res = await stack.client().get(`${stack.proxy.url}/anonymous`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 401)
    const [line] = accessLines(await stack.proxy.waitForLog('"uri":"/anonymous"'), '/anonymous')
    assert.match(String(line?.traceId), /^[0-9a-f]{32}$/)
    const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === line?.traceId && s.kind === SERVER))
    const trace = spans.filter((s) => s.traceId === line?.traceId)
    const root = trace.find((s) => s.kind === SERVER) as ReceivedSpan
    assert.equal(root.parentSpanId, '', 'a new trace')
    const auth = child(trace, root, 'auth.decision')
    assert.equal(auth.attributes['gatehouse.auth.result'], 'needs-login')
    assert.equal(child(trace, auth, 'session.load').attributes['gatehouse.session.result'], 'none')
    assert.equal(trace.filter((s) => s.name === 'upstream').length, 0, 'the upstream is never touched')
  })

  it('traces the IdP calls of a sign-in: discovery, token and JWKS', async () => {
    await stack.signIn('bob')
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'idp token'))
    const discovery = spans.find((s) => s.name === 'idp discovery')
    assert.ok(discovery, 'discovery at start is a span of its own')
    const token = spans.find((s) => s.name === 'idp token') as ReceivedSpan
    assert.equal(token.kind, CLIENT)
    assert.equal(token.attributes['http.request.method'], 'POST')
    const callback = spans.find((s) => s.spanId === token.parentSpanId)
    assert.equal(callback?.attributes['url.path'], '/oauth2/callback', 'the token call nests in the callback request')
    const jwks = spans.find((s) => s.name === 'idp jwks' && s.traceId === token.traceId)
    assert.ok(jwks, 'the JWKS fetch of the ID token check is in the same trace')
    assert.ok(spans.some((s) => s.name === 'redis SET' && s.traceId === token.traceId), 'the new session is saved in Redis')
  })

  it('traces a refresh: session.refresh with the IdP token call and the Redis save', async () => {
    await stack.restartProxy(['--cookie-refresh=1s'])
    await new Promise((r) => setTimeout(r, 2100))
    const parent = newTraceparent()
    const res = await client.get(`${stack.proxy.url}/refreshed`, { headers: { traceparent: parent.header, accept: 'application/json' } })
    assert.equal(res.status, 200)
    const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === parent.traceId && s.kind === SERVER))
    const trace = spans.filter((s) => s.traceId === parent.traceId)
    const root = trace.find((s) => s.kind === SERVER) as ReceivedSpan
    const auth = child(trace, root, 'auth.decision')
    const refresh = child(trace, auth, 'session.refresh')
    assert.equal(refresh.attributes['gatehouse.refresh.outcome'], 'success')
    assert.notEqual(refresh.status, ERROR)
    assert.equal(child(trace, refresh, 'idp token').attributes['http.response.status_code'], 200)
    const save = child(trace, refresh, 'session.save')
    child(trace, save, 'redis SET')
  })
})

describe('tracing: parent-based sampling, protobuf, flush on SIGTERM', () => {
  let receiver: OtlpReceiver
  let stack: Stack
  before(async () => {
    receiver = await startOtlpReceiver()
    // No OTEL_BSP_SCHEDULE_DELAY: the 5 s batch has not left when the proxy stops; only the SIGTERM flush sends it.
    stack = await startStack({ args: ['--otel-sample-ratio=0'], env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } })
  })
  after(async () => {
    await stack?.close()
    await receiver?.close()
  })

  it('records a sampled parent even at ratio 0, nothing else, and exports it on shutdown in protobuf', async () => {
    const { client } = await stack.signIn('alice')
    const parent = newTraceparent()
    assert.equal((await client.get(`${stack.proxy.url}/sampled`, { headers: { traceparent: parent.header } })).status, 200)
    assert.equal((await client.get(`${stack.proxy.url}/not-sampled`)).status, 200)
    const logs = await stack.proxy.waitForLog('"uri":"/not-sampled"')
    assert.equal(accessLines(logs, '/sampled')[0]?.traceId, parent.traceId)
    assert.equal(accessLines(logs, '/not-sampled')[0]?.traceId, undefined, 'no trace id that leads nowhere')
    assert.equal(await stack.proxy.stop(), 0)
    assert.ok(receiver.contentTypes.length > 0 && receiver.contentTypes.every((t) => t === 'application/x-protobuf'), `protobuf by default (${receiver.contentTypes.join(', ')})`)
    assert.ok(receiver.spans.length > 0, 'the spans were exported at shutdown')
    assert.deepEqual([...new Set(receiver.spans.map((s) => s.traceId))], [parent.traceId], 'only the trace whose parent was sampled')
    const root = receiver.spans.find((s) => s.kind === SERVER)
    assert.equal(root?.service, 'gatehouse')
    assert.ok(receiver.spans.some((s) => s.name === 'upstream' && s.parentSpanId === root?.spanId))
  })
})

describe('tracing off: the OpenTelemetry packages are not loaded', () => {
  /** The chunk files a bundle file loads with static imports, transitively (dynamic `import()` excluded). */
  function staticClosure(entries: string[]): Set<string> {
    const seen = new Set<string>()
    const queue = [...entries]
    for (let file = queue.shift(); file !== undefined && seen.size < 500; file = queue.shift()) {
      if (seen.has(file)) continue
      seen.add(file)
      const text = readFileSync(join(REPO_ROOT, 'dist', file), 'utf8')
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"\.\/(main-[\w-]+\.js)"/gms)) queue.push(m[1] as string)
      for (const m of text.matchAll(/^import\s*"\.\/(main-[\w-]+\.js)"/gm)) queue.push(m[1] as string)
    }
    return seen
  }
  /** esbuild marks every bundled module with a comment naming its path: an OTel package's code is recognisable. */
  const holdsOtel = (file: string): boolean => readFileSync(join(REPO_ROOT, 'dist', file), 'utf8').includes('node_modules/@opentelemetry/')

  it('keeps the SDK in lazy chunks that only the tracing start imports', () => {
    const chunks = readdirSync(join(REPO_ROOT, 'dist')).filter((f) => /^main-.*\.js$/.test(f))
    const chunk = (prefix: string): string => {
      const found = chunks.find((f) => f.startsWith(prefix))
      assert.ok(found, `the build has a ${prefix} chunk`)
      return found
    }
    // Always loaded: the entry and the app (sessions in cookies, no metrics listener, no tracing).
    const always = staticClosure(['main.js', chunk('main-app-')])
    assert.deepEqual([...always].filter(holdsOtel), [], 'no OpenTelemetry code is loaded when tracing is off')
    // The check can fail: the tracing chunk does hold the SDK and reaches the exporters only through import().
    const tracing = staticClosure([chunk('main-otel-')])
    assert.ok([...tracing].some(holdsOtel), 'the tracing chunk holds the OpenTelemetry SDK')
    const main = readFileSync(join(REPO_ROOT, 'dist/main.js'), 'utf8')
    assert.match(main, /import\("\.\/main-otel-[\w-]+\.js"\)/, 'main.js loads the tracing chunk with a dynamic import')
  })
})
