import type { IdentityProvider } from '../auth/identity-providers.js'
import { ProxyError } from '../errors.js'
import type { RequestContext } from '../http/context.js'
import { canonicalize } from '../policy/canonical.js'
import type { Services } from './services.js'

/**
 * `?provider=ID` of /oauth2/start and /oauth2/sign_in with several providers; an id this configuration does not
 * have is a 400. With one provider the parameter is ignored, as oauth2-proxy ignores it.
 */
export function requestedProvider(ctx: RequestContext, s: Services): IdentityProvider | undefined {
  if (!s.idps.several) return undefined
  const id = ctx.query.get('provider')
  if (id === null) return undefined
  const idp = s.idps.get(id)
  if (idp === undefined) throw new ProxyError('ERR_BAD_REQUEST', 400, 'unknown provider id', { userMessage: 'Unknown identity provider.' })
  return idp
}

/** The provider ids the route of `target` (the page the user wants, after sign-in) accepts; undefined: any. */
function routeProviders(ctx: RequestContext, s: Services, target: string): readonly string[] | undefined {
  if (s.routes === undefined) return undefined
  let url: URL
  try {
    url = new URL(target, `${ctx.origin.proto}://${ctx.origin.host}`)
  } catch {
    return undefined
  }
  const canon = canonicalize({ method: 'GET', host: url.host, uri: `${url.pathname}${url.search}`, clientIp: ctx.origin.clientIp })
  return canon.ok ? s.routes.table.find(canon.request)?.providers : undefined
}

/**
 * The providers a sign-in may offer, in configuration order: those the route of `target` accepts (or `accepted`,
 * when the caller knows the route), narrowed to the request host's site's list. Never empty: with nothing left,
 * the first provider.
 */
export function offeredProviders(ctx: RequestContext, s: Services, target: string, accepted?: readonly string[]): readonly IdentityProvider[] {
  if (!s.idps.several) return s.idps.list
  const byRoute = accepted ?? routeProviders(ctx, s, target)
  const bySite = s.sites?.find(ctx.origin.host)?.providers
  const offered = s.idps.list.filter((idp) => (byRoute === undefined || byRoute.includes(idp.id)) && (bySite === undefined || bySite.includes(idp.id)))
  return offered.length > 0 ? offered : [s.idps.first]
}
