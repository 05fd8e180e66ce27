// A local stand-in for Nextcloud's OCS user endpoint read by gatehouse's nextcloud provider, following Nextcloud's
// developer manual (https://docs.nextcloud.com/server/latest/developer_manual/client_apis/OCS/ocs-api-overview.html):
//   GET /ocs/v2.php/cloud/user?format=json (OCS-APIRequest: true)
//     → { ocs: { meta: { status: "ok", statuscode: 200, message: "OK" }, data: { id, displayname, email, groups, … } } }
//   errors: { ocs: { meta: { status: "failure", statuscode: 997, message: "Current user is not logged in" }, data: [] } } with 401
import { startApiStandIn, type ApiStandIn } from './api-stand-in.js'
import type { TokenOwner } from './oauth2-stack.js'

const meta = (status: string, statuscode: number, message: string) => ({ status, statuscode, message })

export async function startNextcloudStandIn(options: { tokenOwner: TokenOwner; users: Record<string, { id: string; email: string; groups: string[] }> }): Promise<ApiStandIn> {
  return startApiStandIn(async (req) => {
    const sub = await options.tokenOwner(req.token)
    const user = sub === undefined ? undefined : options.users[sub]
    if (user === undefined) return { status: 401, body: { ocs: { meta: meta('failure', 997, 'Current user is not logged in'), data: [] } } }
    if (req.url.pathname !== '/ocs/v2.php/cloud/user') return { status: 404, body: { ocs: { meta: meta('failure', 998, 'Invalid query, please check the syntax.'), data: [] } } }
    return { status: 200, body: { ocs: { meta: meta('ok', 200, 'OK'), data: { enabled: true, id: user.id, displayname: user.id.toUpperCase(), email: user.email, groups: user.groups, language: 'en' } } } }
  }, { ocs: { meta: meta('failure', 996, 'Internal Server Error'), data: [] } })
}
