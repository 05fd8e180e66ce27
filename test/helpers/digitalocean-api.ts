// A local stand-in for DigitalOcean's API call of gatehouse's digitalocean provider, following DigitalOcean's public
// API reference (https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account):
//   GET /v2/account  → { account: { droplet_limit, floating_ip_limit, email, uuid, email_verified, status, … } }
//   errors: { id: "unauthorized", message: "Unable to authenticate you" } with 401
// The bearer token's owner is found through the dev IdP's introspection endpoint.
import { startApiStandIn, type ApiStandIn } from './api-stand-in.js'
import type { TokenOwner } from './oauth2-stack.js'

export async function startDigitalOceanStandIn(options: { tokenOwner: TokenOwner; emails: Record<string, string> }): Promise<ApiStandIn> {
  return startApiStandIn(async (req) => {
    const sub = await options.tokenOwner(req.token)
    const email = sub === undefined ? undefined : options.emails[sub]
    if (email === undefined) return { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you' } }
    if (req.method !== 'GET' || req.url.pathname !== '/v2/account') return { status: 404, body: { id: 'not_found', message: 'The resource you were accessing could not be found.' } }
    return { status: 200, body: { account: { droplet_limit: 25, floating_ip_limit: 3, email, uuid: `uuid-${sub ?? ''}`, email_verified: true, status: 'active', status_message: '' } } }
  }, { id: 'server_error', message: 'Unexpected server-side error' })
}
