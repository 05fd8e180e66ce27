import { legacyHeaderInjections } from '../config/alpha/from-legacy.js'
import type { HeaderInjection } from '../config/alpha/types.js'
import { structuredOf } from '../config/provider-entries.js'
import type { Config } from '../config/shape.js'
import type { Session } from '../session/session.js'
import { compileHeaderPlans, headerValue, renderHeaders } from './plan.js'

/** The legacy header flags (what the header injections of a legacy configuration are converted from). */
export interface HeaderOptions {
  passUserHeaders: boolean
  passBasicAuth: boolean
  basicAuthPassword: string
  passAccessToken: boolean
  passAuthorizationHeader: boolean
  setXAuthRequest: boolean
  setBasicAuth: boolean
  setAuthorizationHeader: boolean
  preferEmailToUser: boolean
  /** `--skip-auth-strip-headers` (default true): remove client copies of the headers we inject. */
  stripHeaders: boolean
  /** Headers whose client copies are removed whatever `stripHeaders` says (the identity assertion's). */
  alwaysStrip?: readonly string[]
  /** `--signature-key`: the upstream gets `GAP-Auth` (the user, as in the response) so that it is signed too. */
  gapAuthUpstream?: boolean
}

/** Lower-cases a header name and reads `_` as `-`, so `X_Forwarded_Email` is caught (CVE-2025-64484). */
export function normalizeHeaderName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-')
}

const IDENTITY_HEADERS = [
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
  'x-auth-request-user',
  'x-auth-request-email',
  'x-auth-request-groups',
  'x-auth-request-preferred-username',
  'x-auth-request-access-token',
  'gap-auth',
]

/** What the injector is built from: the structured header injections and whether client identity headers are stripped. */
export interface InjectorPlan {
  readonly request: readonly HeaderInjection[]
  readonly response: readonly HeaderInjection[]
  /**
   * Also strip the well-known identity headers (X-Forwarded-User/Email/Groups/..., X-Auth-Request-*, GAP-Auth) even
   * when no injection names them: `--skip-auth-strip-headers` for legacy options.
   */
  readonly stripIdentityHeaders: boolean
  /** Headers whose client copies are removed whatever else says (the identity assertion's, GAP-Signature). */
  readonly alwaysStrip?: readonly string[]
  /** `--signature-key`: the upstream also gets `GAP-Auth` (the user, as in the response), so that it is signed too. */
  readonly gapAuthUpstream?: boolean
}

/** The injector plan of a configuration: its structured header injections (alpha file or converted legacy flags). */
export function injectorPlanOf(config: Config): InjectorPlan {
  const s = structuredOf(config)
  const request = s.injectRequestHeaders
  // Legacy: --skip-auth-strip-headers. Alpha (where that option stays at its default): unless every injected
  // request header asks to keep the client's value.
  const stripIdentityHeaders = config.skipAuthStripHeaders && (request.length === 0 || request.some((h) => !h.preserveRequestValue))
  return {
    request,
    response: s.injectResponseHeaders,
    stripIdentityHeaders,
    // A client's copy of the assertion header never reaches the upstream, whether assertions are on or not.
    alwaysStrip: [config.assertionHeader, ...(config.signatureKey === '' ? [] : ['GAP-Signature'])],
    gapAuthUpstream: config.signatureKey !== '',
  }
}

/** The injector plan of the legacy header flags, named as in {@link HeaderOptions}. */
export function injectorPlanFromFlags(o: HeaderOptions): InjectorPlan {
  const { request, response } = legacyHeaderInjections({
    passBasicAuth: o.passBasicAuth,
    passUserHeaders: o.passUserHeaders,
    passAccessToken: o.passAccessToken,
    passAuthorizationHeader: o.passAuthorizationHeader,
    setXauthrequest: o.setXAuthRequest,
    setBasicAuth: o.setBasicAuth,
    setAuthorizationHeader: o.setAuthorizationHeader,
    preferEmailToUser: o.preferEmailToUser,
    basicAuthPassword: o.basicAuthPassword,
    skipAuthStripHeaders: o.stripHeaders,
  })
  return { request, response, stripIdentityHeaders: o.stripHeaders, ...(o.alwaysStrip === undefined ? {} : { alwaysStrip: o.alwaysStrip }), ...(o.gapAuthUpstream === undefined ? {} : { gapAuthUpstream: o.gapAuthUpstream }) }
}

/** Builds the identity headers for upstream requests and auth responses (reference §5) from precompiled plans. */
export function createHeaderInjector(plan: InjectorPlan) {
  const strip = new Set<string>()
  if (plan.stripIdentityHeaders) {
    // Every identity header the proxy can write is removed from the client request, whatever the injections,
    // so an upstream never reads a client's claim of who it is. The X-Auth-Request-* and GAP-Auth names are only
    // ever response headers, but an app set up for the auth_request layout may trust them.
    for (const h of IDENTITY_HEADERS) strip.add(h)
  }
  // oauth2-proxy strips each injected request header whose preserveRequestValue is false (`newStripHeaders`).
  for (const h of plan.request) if (!h.preserveRequestValue) strip.add(h.insecureSkipHeaderNormalization ? h.name.toLowerCase() : normalizeHeaderName(h.name))
  const requestPlans = compileHeaderPlans(plan.request)
  const responsePlans = compileHeaderPlans(plan.response)

  for (const h of plan.alwaysStrip ?? []) strip.add(normalizeHeaderName(h))

  function upstreamHeadersOf(session: Session): Record<string, string> {
    const out = renderHeaders(requestPlans, session)
    if (plan.gapAuthUpstream === true) {
      const gapAuth = headerValue(session.email || session.user || '')
      if (gapAuth !== undefined) out['GAP-Auth'] = gapAuth
    }
    return out
  }

  function responseHeadersOf(session: Session): Record<string, string> {
    const out: Record<string, string> = {}
    // GAP-Auth is oauth2-proxy's own response header (addHeadersForProxying), not a configured injection.
    const gapAuth = headerValue(session.email || session.user || '')
    if (gapAuth !== undefined) out['GAP-Auth'] = gapAuth
    return Object.assign(out, renderHeaders(responsePlans, session))
  }

  // A session object is never changed once loaded (the cookie store's cached ones are frozen), so the headers built
  // from it are kept with it: a signed-in client's requests reuse them instead of re-checking every value.
  const upstreamCache = new WeakMap<Session, Readonly<Record<string, string>>>()
  const responseCache = new WeakMap<Session, Readonly<Record<string, string>>>()

  return {
    /** Names (as the client sent them) of request headers to delete before anything is added. */
    headersToStrip(requestHeaders: Readonly<Record<string, unknown>>): string[] {
      const out: string[] = []
      if (strip.size === 0) return out
      for (const name in requestHeaders) {
        const lower = name.toLowerCase()
        if (strip.has(lower) || (lower.includes('_') && strip.has(normalizeHeaderName(lower)))) out.push(name)
      }
      return out
    },

    /** Headers the upstream receives for this session; empty values are never sent. Read-only: shared by requests. */
    upstreamHeaders(session: Session | undefined): Readonly<Record<string, string>> {
      if (session === undefined) return NO_HEADERS
      let headers = upstreamCache.get(session)
      if (headers === undefined) {
        headers = Object.freeze(upstreamHeadersOf(session))
        upstreamCache.set(session, headers)
      }
      return headers
    },

    /** Headers on the response: `/oauth2/auth` 202s and proxied answers. Read-only: shared by requests. */
    responseHeaders(session: Session | undefined): Readonly<Record<string, string>> {
      if (session === undefined) return NO_HEADERS
      let headers = responseCache.get(session)
      if (headers === undefined) {
        headers = Object.freeze(responseHeadersOf(session))
        responseCache.set(session, headers)
      }
      return headers
    },
  }
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

export type HeaderInjector = ReturnType<typeof createHeaderInjector>
