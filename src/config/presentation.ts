import { formatDuration } from './duration.js'
import type { OptionGroup, OptionMeta } from './option-meta.js'

/** Headings of the option groups in help and docs. */
export const GROUP_TITLES: Readonly<Record<OptionGroup, string>> = {
  server: 'Server, TLS and probes',
  upstreams: 'Upstreams',
  cookies: 'Cookies',
  session: 'Sessions and Redis',
  provider: 'Provider',
  oidc: 'OpenID Connect',
  authorization: 'Authorization',
  headers: 'Identity headers',
  logging: 'Logging',
  metrics: 'Metrics',
  tracing: 'Tracing (OpenTelemetry)',
  pages: 'Pages',
  misc: 'Miscellaneous',
}

/** An option's default as a user would write it: `""`, `168h`, `true`, `[]`, `aud`. */
export function formatDefault(meta: OptionMeta): string {
  const def = meta.default
  if (Array.isArray(def)) return def.length === 0 ? '[]' : def.join(',')
  if (meta.kind === 'duration') return formatDuration(def as number)
  if (def === '') return '""'
  return String(def)
}
