import { defineOptions } from '../define.js'
import { httpUrlCheck } from '../formats.js'

const o = defineOptions('tracing')

/** A sampling ratio: empty (use `OTEL_TRACES_SAMPLER_ARG`, else 1) or a number from 0 to 1. */
function ratioProblem(value: string): string | undefined {
  if (value === '') return undefined
  const ratio = Number(value)
  return value.trim() !== '' && Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? undefined : 'must be a number from 0 to 1'
}

/** OpenTelemetry tracing: gatehouse's own options (oauth2-proxy has no tracing); the standard OTEL_* variables apply too. */
export const tracingOptions = {
  otelExporterOtlpEndpoint: o.string(
    'otel-exporter-otlp-endpoint',
    '',
    'gatehouse only, oauth2-proxy has no such option: the OTLP/HTTP collector base URL (spans go to <url>/v1/traces); turns tracing on. Off when empty and neither OTEL_EXPORTER_OTLP_ENDPOINT nor OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set.',
    { check: httpUrlCheck('http://otel-collector:4318') },
  ),
  otelSampleRatio: o.string(
    'otel-sample-ratio',
    '',
    'gatehouse only, oauth2-proxy has no such option: the share of new traces recorded (0 to 1), parent-based: a request whose traceparent is sampled is always recorded. Empty: OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, else 1.',
    { check: ratioProblem },
  ),
  otelServiceName: o.string('otel-service-name', '', 'gatehouse only, oauth2-proxy has no such option: the service.name of the spans. Empty: OTEL_SERVICE_NAME, else gatehouse.'),
  otelIncludeUser: o.bool('otel-include-user', false, 'gatehouse only, oauth2-proxy has no such option: put the user name and email on the authentication span (personal data: off by default).'),
}
