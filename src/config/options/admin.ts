import { defineOptions } from '../define.js'

const o = defineOptions('session')

/** The session admin API and page on their own listener (gatehouse only; off by default). */
export const adminOptions = {
  adminAddress: o.string('admin-address', '', 'gatehouse only: host:port of the session admin API and page (its own listener; off when empty). Needs --admin-token, --admin-token-file or --admin-group; a non-loopback address needs a token or start-up is refused.'),
  adminToken: o.string('admin-token', '', 'gatehouse only: bearer token that grants the admin API (compared in constant time).', { secret: true }),
  adminTokenFile: o.string('admin-token-file', '', 'gatehouse only: file holding the admin bearer token (instead of --admin-token).'),
  adminGroup: o.string('admin-group', '', 'gatehouse only: signed-in users whose groups include this one may use the admin API and page with their session cookie.'),
}
