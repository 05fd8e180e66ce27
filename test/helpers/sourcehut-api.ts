// A local stand-in for meta.sr.ht, the SourceHut account service read by gatehouse's sourcehut provider, following
// SourceHut's documentation (https://man.sr.ht/meta.sr.ht/graphql.md, https://man.sr.ht/graphql.md):
//   POST /query  {"query":"{ me { username, email } }"}  → { data: { me: { username, email } } }
//   GET /profile (the validate URL): the profile page, 200 for a valid token
//   errors: GraphQL { errors: [{ message }] } with 401 for a missing or invalid bearer token
import { startApiStandIn, type ApiStandIn } from './api-stand-in.js'
import type { TokenOwner } from './oauth2-stack.js'

export async function startSourceHutStandIn(options: { tokenOwner: TokenOwner; users: Record<string, { username: string; email: string }> }): Promise<ApiStandIn> {
  return startApiStandIn(async (req) => {
    const sub = await options.tokenOwner(req.token)
    const user = sub === undefined ? undefined : options.users[sub]
    if (user === undefined) return { status: 401, body: { errors: [{ message: 'Invalid or expired OAuth 2.0 bearer token' }] } }
    if (req.method === 'GET' && req.url.pathname === '/profile') return { status: 200, body: { page: 'profile' } }
    if (req.method !== 'POST' || req.url.pathname !== '/query') return { status: 404, body: { errors: [{ message: 'Not found' }] } }
    let query = ''
    try {
      query = String((JSON.parse(req.body) as { query?: unknown }).query ?? '')
    } catch {
      return { status: 400, body: { errors: [{ message: 'Invalid JSON body' }] } }
    }
    if (!/^\{\s*me\s*\{\s*username\s*,?\s*email\s*\}\s*\}$/.test(query.trim())) return { status: 422, body: { errors: [{ message: 'unsupported query in this stand-in' }] } }
    return { status: 200, body: { data: { me: { username: user.username, email: user.email } } } }
  }, { errors: [{ message: 'Internal server error' }] })
}
