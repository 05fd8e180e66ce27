// A local stand-in for the LinkedIn API v2 calls of gatehouse's linkedin provider, following Microsoft's LinkedIn
// documentation (https://learn.microsoft.com/en-us/linkedin/shared/integrations/people/primary-contact-api,
// https://learn.microsoft.com/en-us/linkedin/shared/integrations/people/profile-api):
//   GET /v2/emailAddress?q=members&projection=(elements*(handle~))  → { elements: [{ handle, "handle~": { emailAddress } }] }
//   GET /v2/me (the validate URL)                                    → { id, localizedFirstName, localizedLastName }
//   errors: { serviceErrorCode, message, status } (401 "Invalid access token")
import { startApiStandIn, type ApiStandIn } from './api-stand-in.js'
import type { TokenOwner } from './oauth2-stack.js'

export async function startLinkedInStandIn(options: { tokenOwner: TokenOwner; emails: Record<string, string> }): Promise<ApiStandIn> {
  return startApiStandIn(async (req) => {
    const sub = await options.tokenOwner(req.token)
    const email = sub === undefined ? undefined : options.emails[sub]
    if (email === undefined) return { status: 401, body: { serviceErrorCode: 65600, message: 'Invalid access token', status: 401 } }
    if (req.url.pathname === '/v2/me') return { status: 200, body: { id: `li-${sub ?? ''}`, localizedFirstName: sub, localizedLastName: 'Example' } }
    // The projection must arrive unescaped, as LinkedIn documents it.
    if (req.url.pathname === '/v2/emailAddress' && req.url.search.includes('q=members') && req.url.search.includes('projection=(elements*(handle~))')) {
      return { status: 200, body: { elements: [{ handle: 'urn:li:emailAddress:3775708763', 'handle~': { emailAddress: email } }] } }
    }
    return { status: 400, body: { serviceErrorCode: 100, message: 'Invalid query parameters passed to request', status: 400 } }
  }, { serviceErrorCode: 0, message: 'Internal Server Error', status: 500 })
}
