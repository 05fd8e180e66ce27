import { readFileSync } from 'node:fs'
import type { Decoded, PathIssue } from './decode.js'
import { PROVIDER_SUBBLOCKS } from './spec.js'
import { tlsSourceIssues } from './tls-sources.js'
import type {
  HeaderInjection,
  HeaderValue,
  LoginUrlParameter,
  ProviderBlock,
  SecretSource,
  ServerConfig,
  StructuredConfig,
  UpstreamConfig,
  UpstreamEntry,
} from './types.js'

type Obj = { readonly [key: string]: Decoded | undefined }

const DEFAULT_FLUSH_MS = 1_000
const DEFAULT_TIMEOUT_MS = 30_000

function objOf(value: Decoded | undefined): Obj {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {}
}
function listOf(value: Decoded | undefined): readonly Decoded[] {
  return Array.isArray(value) ? value : []
}
function str(o: Obj, key: string, def = ''): string {
  const v = o[key]
  return typeof v === 'string' ? v : def
}
function bool(o: Obj, key: string, def: boolean): boolean {
  const v = o[key]
  return typeof v === 'boolean' ? v : def
}
function num(o: Obj, key: string, def: number): number {
  const v = o[key]
  return typeof v === 'number' ? v : def
}
function strings(o: Obj, key: string): string[] {
  return listOf(o[key]).filter((v): v is string => typeof v === 'string')
}

/** What building needs from outside: the environment for `fromEnv`, and where to report problems. */
export interface BuildContext {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly issues: PathIssue[]
}

/** Reads a secret source once at load: exactly one of value, fromEnv and fromFile. */
function secretOf(value: Decoded | undefined, path: string, ctx: BuildContext): SecretSource | undefined {
  if (value === undefined) return undefined
  const o = objOf(value)
  const set = (['value', 'fromEnv', 'fromFile'] as const).filter((k) => o[k] !== undefined && o[k] !== '')
  if (set.length !== 1) {
    ctx.issues.push({ path, message: set.length === 0 ? 'set one of value, fromEnv or fromFile' : `set only one of value, fromEnv or fromFile, not ${set.join(' and ')}` })
    return undefined
  }
  const kind = set[0] as 'value' | 'fromEnv' | 'fromFile'
  const ref = str(o, kind)
  if (kind === 'value') return { value: ref, resolved: ref }
  if (kind === 'fromEnv') return { fromEnv: ref, resolved: ctx.env[ref] ?? '' }
  try {
    return { fromFile: ref, resolved: readFileSync(ref, 'utf8') }
  } catch (err) {
    ctx.issues.push({ path: `${path}.fromFile`, message: `cannot read ${JSON.stringify(ref)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` })
    return undefined
  }
}

function headersOf(value: Decoded | undefined, path: string, ctx: BuildContext): HeaderInjection[] {
  return listOf(value).map((item, i) => {
    const o = objOf(item)
    const at = `${path}[${i}]`
    if (str(o, 'name') === '') ctx.issues.push({ path: `${at}.name`, message: 'every header needs a name' })
    const values = listOf(o['values']).map((v, j): HeaderValue => {
      const vo = objOf(v)
      const vat = `${at}.values[${j}]`
      const claim = vo['claimSource']
      const secret = vo['secretSource']
      if ((claim === undefined) === (secret === undefined)) {
        ctx.issues.push({ path: vat, message: 'set exactly one of claimSource or secretSource' })
        return {}
      }
      if (secret !== undefined) {
        const source = secretOf(secret, `${vat}.secretSource`, ctx)
        return source === undefined ? {} : { secretSource: source }
      }
      const co = objOf(claim)
      if (str(co, 'claim') === '') ctx.issues.push({ path: `${vat}.claimSource.claim`, message: 'name the session claim to read (user, email, groups, ...)' })
      const password = secretOf(co['basicAuthPassword'], `${vat}.claimSource.basicAuthPassword`, ctx)
      return { claimSource: { claim: str(co, 'claim'), prefix: str(co, 'prefix'), ...(password === undefined ? {} : { basicAuthPassword: password }) } }
    })
    return {
      name: str(o, 'name'),
      preserveRequestValue: bool(o, 'preserveRequestValue', false),
      insecureSkipHeaderNormalization: bool(o, 'InsecureSkipHeaderNormalization', false),
      values,
    }
  })
}

/** oauth2-proxy's Upstream.EnsureDefaults: static upstreams get their forced values. */
export function upstreamWithDefaults(o: Obj): UpstreamEntry {
  const isStatic = bool(o, 'static', false)
  return {
    id: str(o, 'id'),
    path: str(o, 'path'),
    rewriteTarget: str(o, 'rewriteTarget'),
    uri: isStatic ? '' : str(o, 'uri'),
    insecureSkipTLSVerify: isStatic ? false : bool(o, 'insecureSkipTLSVerify', false),
    static: isStatic,
    staticCode: num(o, 'staticCode', 200),
    flushInterval: isStatic ? DEFAULT_FLUSH_MS : num(o, 'flushInterval', DEFAULT_FLUSH_MS),
    passHostHeader: isStatic ? false : bool(o, 'passHostHeader', true),
    proxyWebSockets: isStatic ? false : bool(o, 'proxyWebSockets', true),
    timeout: isStatic ? DEFAULT_TIMEOUT_MS : num(o, 'timeout', DEFAULT_TIMEOUT_MS),
    disableKeepAlives: isStatic ? false : bool(o, 'disableKeepAlives', false),
  }
}

function upstreamConfigOf(value: Decoded | undefined): UpstreamConfig {
  const o = objOf(value)
  return { proxyRawPath: bool(o, 'proxyRawPath', false), upstreams: listOf(o['upstreams']).map((u) => upstreamWithDefaults(objOf(u))) }
}

function serverOf(value: Decoded | undefined, path: string, ctx: BuildContext): ServerConfig {
  const o = objOf(value)
  const server = { bindAddress: str(o, 'bindAddress'), secureBindAddress: str(o, 'secureBindAddress') }
  // oauth2-proxy loads the certificate only when the secure listener is on. The metrics listener's is checked through
  // the legacy metrics options it maps onto.
  const checked = path === 'server' && server.secureBindAddress !== '' && server.secureBindAddress !== '-'
  if (o['tls'] === undefined) {
    if (checked) ctx.issues.push(...tlsSourceIssues(undefined, { cert: false, key: false }, path, ctx.env))
    return server
  }
  const t = objOf(o['tls'])
  const key = secretOf(t['key'], `${path}.tls.key`, ctx)
  const cert = secretOf(t['cert'], `${path}.tls.cert`, ctx)
  const tls = { ...(key === undefined ? {} : { key }), ...(cert === undefined ? {} : { cert }), minVersion: str(t, 'minVersion'), cipherSuites: strings(t, 'cipherSuites') }
  if (checked) ctx.issues.push(...tlsSourceIssues(tls, { cert: t['cert'] !== undefined, key: t['key'] !== undefined }, path, ctx.env))
  return { ...server, tls }
}

function loginParametersOf(value: Decoded | undefined): LoginUrlParameter[] {
  return listOf(value).map((item) => {
    const o = objOf(item)
    const allow = listOf(o['allow']).map((rule) => {
      const r = objOf(rule)
      return { ...(typeof r['value'] === 'string' ? { value: r['value'] } : {}), ...(typeof r['pattern'] === 'string' ? { pattern: r['pattern'] } : {}) }
    })
    return { name: str(o, 'name'), default: strings(o, 'default'), allow }
  })
}

/** A provider block with oauth2-proxy's defaults (Provider.EnsureDefaults); sub-blocks keep the keys the file set. */
export function providerWithDefaults(o: Obj): ProviderBlock {
  const sub = (key: keyof typeof PROVIDER_SUBBLOCKS): Readonly<Record<string, unknown>> => {
    const inner = objOf(o[key])
    return Object.fromEntries(Object.entries(inner).filter(([, v]) => v !== undefined))
  }
  return {
    id: str(o, 'id'),
    provider: str(o, 'provider'),
    name: str(o, 'name'),
    clientID: str(o, 'clientID'),
    clientSecret: str(o, 'clientSecret'),
    clientSecretFile: str(o, 'clientSecretFile'),
    caFiles: strings(o, 'caFiles'),
    useSystemTrustStore: bool(o, 'useSystemTrustStore', false),
    loginURL: str(o, 'loginURL'),
    loginURLParameters: loginParametersOf(o['loginURLParameters']),
    authRequestResponseMode: str(o, 'authRequestResponseMode'),
    redeemURL: str(o, 'redeemURL'),
    profileURL: str(o, 'profileURL'),
    skipClaimsFromProfileURL: bool(o, 'skipClaimsFromProfileURL', false),
    resource: str(o, 'resource'),
    validateURL: str(o, 'validateURL'),
    scope: str(o, 'scope'),
    allowedGroups: strings(o, 'allowedGroups'),
    code_challenge_method: str(o, 'code_challenge_method'),
    additionalClaims: strings(o, 'additionalClaims'),
    backendLogoutURL: str(o, 'backendLogoutURL'),
    oidcConfig: sub('oidcConfig'),
    keycloakConfig: sub('keycloakConfig'),
    azureConfig: sub('azureConfig'),
    microsoftEntraIDConfig: sub('microsoftEntraIDConfig'),
    ADFSConfig: sub('ADFSConfig'),
    bitbucketConfig: sub('bitbucketConfig'),
    githubConfig: sub('githubConfig'),
    gitlabConfig: sub('gitlabConfig'),
    googleConfig: sub('googleConfig'),
    loginGovConfig: sub('loginGovConfig'),
  }
}

function rawOf(value: Decoded | undefined): unknown {
  return value !== undefined && typeof value === 'object' && 'raw' in value ? (value as { raw: unknown }).raw : undefined
}

/** Turns the decoded file into the structured form, resolving secret sources and applying oauth2-proxy's defaults. */
export function buildStructured(decoded: Decoded | undefined, ctx: BuildContext): StructuredConfig {
  const top = objOf(decoded)
  const routes = rawOf(top['routes'])
  const sites = rawOf(top['sites'])
  return {
    upstreamConfig: upstreamConfigOf(top['upstreamConfig']),
    injectRequestHeaders: headersOf(top['injectRequestHeaders'], 'injectRequestHeaders', ctx),
    injectResponseHeaders: headersOf(top['injectResponseHeaders'], 'injectResponseHeaders', ctx),
    server: serverOf(top['server'], 'server', ctx),
    metricsServer: serverOf(top['metricsServer'], 'metricsServer', ctx),
    providers: listOf(top['providers']).map((p) => providerWithDefaults(objOf(p))),
    extensions: { ...(routes === undefined ? {} : { routes }), ...(sites === undefined ? {} : { sites }) },
  }
}
