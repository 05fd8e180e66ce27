// A local stand-in for the Facebook Graph API call of gatehouse's facebook provider, following Meta's public Graph API
// documentation (https://developers.facebook.com/docs/graph-api/reference/user/,
// https://developers.facebook.com/docs/graph-api/guides/error-handling/):
//   GET /v2.5/me?fields=name,email  → { name, email, id } (email absent when the account has none or did not share it)
//   errors: { error: { message, type: "OAuthException", code: 190, fbtrace_id } } with 400 for a bad token
import { startApiStandIn, type ApiStandIn } from './api-stand-in.js'
import type { TokenOwner } from './oauth2-stack.js'

export async function startFacebookStandIn(options: { tokenOwner: TokenOwner; users: Record<string, { name: string; email?: string }> }): Promise<ApiStandIn> {
  return startApiStandIn(async (req) => {
    const sub = await options.tokenOwner(req.token)
    const user = sub === undefined ? undefined : options.users[sub]
    if (user === undefined) return { status: 400, body: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190, fbtrace_id: 'AbCdEf' } } }
    if (req.url.pathname !== '/v2.5/me') return { status: 400, body: { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500, fbtrace_id: 'AbCdEf' } } }
    const fields = (req.url.searchParams.get('fields') ?? 'name,id').split(',')
    const all: Record<string, unknown> = { name: user.name, id: `10${sub?.length ?? 0}42`, ...(user.email === undefined ? {} : { email: user.email }) }
    return { status: 200, body: Object.fromEntries(Object.entries(all).filter(([k]) => k === 'id' || fields.includes(k))) }
  }, { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', is_transient: true, code: 2, fbtrace_id: 'AbCdEf' } })
}
