import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { configObject, type Config } from './shape.js'
import { tracingSettings } from './tracing-settings.js'

const config = (over: Partial<Record<string, unknown>> = {}): Config => configObject.parse(over) as Config

describe('tracing settings from --otel-* and OTEL_*', () => {
  it('is off without an endpoint, and with OTEL_SDK_DISABLED=true', () => {
    assert.equal(tracingSettings(config(), {}).settings, undefined)
    assert.equal(tracingSettings(config(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).settings, undefined)
  })

  it('appends /v1/traces to a base endpoint, takes a traces endpoint as is, and lets the option win', () => {
    assert.equal(tracingSettings(config(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }).settings?.url, 'http://c:4318/v1/traces')
    assert.equal(tracingSettings(config(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/x' }).settings?.url, 'http://t:1/x')
    const flag = tracingSettings(config({ otelExporterOtlpEndpoint: 'https://f:4318' }), { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/x' })
    assert.equal(flag.settings?.url, 'https://f:4318/v1/traces')
  })

  it('defaults to http/protobuf, parentbased_always_on, service gatehouse, a 5 s batch', () => {
    const s = tracingSettings(config({ otelExporterOtlpEndpoint: 'http://c:4318' }), {}).settings
    assert.deepEqual(s, { url: 'http://c:4318/v1/traces', protocol: 'http/protobuf', headers: {}, serviceName: 'gatehouse', ratio: 1, parentBased: true, includeUser: false, scheduleDelayMs: 5000 })
  })

  it('reads the sampler, the service name and percent-encoded headers from the environment', () => {
    const s = tracingSettings(config({ otelExporterOtlpEndpoint: 'http://c:4318' }), {
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: 'edge',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-tenant=t1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=t2',
    }).settings
    assert.equal(s?.ratio, 0.25)
    assert.equal(s?.parentBased, false)
    assert.equal(s?.serviceName, 'edge')
    assert.deepEqual(s?.headers, { authorization: 'Bearer abc', 'x-tenant': 't2' })
    const flags = tracingSettings(config({ otelExporterOtlpEndpoint: 'http://c:4318', otelSampleRatio: '0.1', otelServiceName: 'flag' }), { OTEL_TRACES_SAMPLER: 'always_off', OTEL_SERVICE_NAME: 'env' }).settings
    assert.deepEqual([flags?.ratio, flags?.parentBased, flags?.serviceName], [0.1, true, 'flag'])
  })

  it('reports every problem at once, naming the variable and never echoing header values', () => {
    const { settings, issues } = tracingSettings(config(), {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://c',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_EXPORTER_OTLP_HEADERS: 'secret-value-only',
      OTEL_BSP_SCHEDULE_DELAY: 'soon',
    })
    assert.equal(settings, undefined)
    assert.deepEqual(issues.map((i) => i.option), ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_TRACES_SAMPLER_ARG', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_BSP_SCHEDULE_DELAY'])
    assert.ok(!JSON.stringify(issues).includes('secret-value-only'))
  })
})
