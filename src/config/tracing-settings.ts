import type { ConfigIssue } from '../errors.js'
import { httpUrlCheck } from './formats.js'
import type { Config } from './shape.js'

/** How spans are exported and sampled; present only when tracing is on. */
export interface TracingSettings {
  /** The full OTLP/HTTP traces URL (`…/v1/traces`). */
  readonly url: string
  readonly protocol: 'http/protobuf' | 'http/json'
  /** Extra exporter headers (`OTEL_EXPORTER_OTLP_*HEADERS`): may hold credentials, never logged. */
  readonly headers: Readonly<Record<string, string>>
  readonly serviceName: string
  /** Share of new traces recorded, 0 to 1. */
  readonly ratio: number
  /** True: a request's sampled parent decides (`parentbased_*`); false: the ratio alone. */
  readonly parentBased: boolean
  /** `--otel-include-user`: the user name and email go on the authentication span. */
  readonly includeUser: boolean
  /** `OTEL_BSP_SCHEDULE_DELAY`: how long spans wait in the batch before export (default 5 s). */
  readonly scheduleDelayMs: number
}

type Env = Readonly<Record<string, string | undefined>>

const set = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

/** `OTEL_EXPORTER_OTLP_ENDPOINT` is a base: the signal path is appended, as the OTLP exporter specification says. */
const tracesUrlOf = (base: string): string => `${base.replace(/\/+$/, '')}/v1/traces`

/** The sampler of `OTEL_TRACES_SAMPLER` / `_ARG`, or a problem (the specification's default is parentbased_always_on). */
function samplerOf(env: Env): { ratio: number; parentBased: boolean } | ConfigIssue {
  const name = set(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on'
  const arg = set(env, 'OTEL_TRACES_SAMPLER_ARG')
  const ratio = arg === undefined ? 1 : Number(arg)
  const ratioOk = Number.isFinite(ratio) && ratio >= 0 && ratio <= 1
  switch (name) {
    case 'always_on':
    case 'parentbased_always_on':
      return { ratio: 1, parentBased: name.startsWith('parentbased') }
    case 'always_off':
    case 'parentbased_always_off':
      return { ratio: 0, parentBased: name.startsWith('parentbased') }
    case 'traceidratio':
    case 'parentbased_traceidratio':
      if (!ratioOk) return { option: 'OTEL_TRACES_SAMPLER_ARG', value: arg ?? '', message: 'must be a number from 0 to 1' }
      return { ratio, parentBased: name.startsWith('parentbased') }
    default:
      return { option: 'OTEL_TRACES_SAMPLER', value: name, message: 'not supported: use parentbased_traceidratio (with OTEL_TRACES_SAMPLER_ARG), traceidratio, always_on, always_off or their parentbased_ forms' }
  }
}

/** `k1=v1,k2=v2` with percent-encoded values (the OTel environment format); values are never echoed in problems. */
function headersOf(env: Env, issues: ConfigIssue[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    const raw = set(env, name)
    if (raw === undefined) continue
    for (const [i, entry] of raw.split(',').entries()) {
      if (entry.trim() === '') continue
      const eq = entry.indexOf('=')
      const key = eq <= 0 ? '' : entry.slice(0, eq).trim()
      let value: string | undefined
      try {
        value = eq <= 0 ? undefined : decodeURIComponent(entry.slice(eq + 1).trim())
      } catch {
        value = undefined
      }
      if (key === '' || value === undefined || !/^[!#$%&'*+.^`|~\w-]+$/.test(key)) {
        issues.push({ option: name, message: `entry ${i + 1} is not key=value with a header name and a percent-encoded value` })
        continue
      }
      out[key.toLowerCase()] = value
    }
  }
  return out
}

/**
 * Tracing from the `--otel-*` options and the standard OTEL_* environment (options win). Off unless an endpoint is
 * set, and off with `OTEL_SDK_DISABLED=true`. Every problem is returned for the one ConfigError.
 */
export function tracingSettings(config: Config, env: Env): { settings: TracingSettings | undefined; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = []
  const flagEndpoint = config.otelExporterOtlpEndpoint
  const tracesEndpoint = set(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  const baseEndpoint = set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')
  const url = flagEndpoint !== '' ? tracesUrlOf(flagEndpoint) : tracesEndpoint ?? (baseEndpoint === undefined ? undefined : tracesUrlOf(baseEndpoint))
  if (url === undefined || set(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { settings: undefined, issues }
  if (flagEndpoint === '') {
    const from = tracesEndpoint !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'
    const problem = httpUrlCheck('http://otel-collector:4318')(url)
    if (problem !== undefined) issues.push({ option: from, value: url, message: problem })
  }
  const protocol = set(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? set(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf'
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    issues.push({ option: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: protocol, message: 'gatehouse exports over OTLP/HTTP only: use http/protobuf (the default) or http/json' })
  }
  const sampler = config.otelSampleRatio === '' ? samplerOf(env) : { ratio: Number(config.otelSampleRatio), parentBased: true }
  if ('message' in sampler) issues.push(sampler)
  const headers = headersOf(env, issues)
  const delay = set(env, 'OTEL_BSP_SCHEDULE_DELAY') ?? '5000'
  const scheduleDelayMs = Number(delay)
  if (!Number.isInteger(scheduleDelayMs) || scheduleDelayMs < 1) issues.push({ option: 'OTEL_BSP_SCHEDULE_DELAY', value: delay, message: 'must be a whole number of milliseconds, at least 1' })
  if (issues.length > 0 || 'message' in sampler) return { settings: undefined, issues }
  return {
    settings: {
      url,
      protocol: protocol as TracingSettings['protocol'],
      headers,
      serviceName: config.otelServiceName !== '' ? config.otelServiceName : (set(env, 'OTEL_SERVICE_NAME') ?? 'gatehouse'),
      ratio: sampler.ratio,
      parentBased: sampler.parentBased,
      includeUser: config.otelIncludeUser,
      scheduleDelayMs,
    },
    issues,
  }
}
