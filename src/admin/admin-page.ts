import { escapeHtml, layout } from '../http/html.js'
import type { SessionPage } from '../session/redis-index.js'

function time(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** The admin page: a user filter, the sessions with a revoke button each (a POST carrying the CSRF token). */
export function adminPage(page: SessionPage, user: string | undefined, csrf: string, notice: string | undefined): string {
  const rows = page.sessions.map((s) => `<tr data-session="${escapeHtml(s.id)}"><td>${escapeHtml(s.email ?? s.user ?? '')}</td><td>${escapeHtml(s.provider)}</td>`
    + `<td>${time(s.signedInAt)}</td><td>${time(s.refreshedAt)}</td><td>${time(s.lastUsedAt)}</td><td>${time(s.expiresAt)}</td>`
    + `<td>${escapeHtml(s.ip ?? '')}</td><td>${escapeHtml(s.userAgent ?? '')}</td>`
    + `<td><form method="post" action="revoke"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}"><input type="hidden" name="id" value="${escapeHtml(s.id)}">`
    + `<button class="button secondary" type="submit">Revoke</button></form></td></tr>`).join('\n')
  const next = page.next === null ? '' : `<p><a href="?${new URLSearchParams({ ...(user === undefined ? {} : { user }), offset: String(page.next) }).toString()}">Next page</a></p>`
  const body = `<h1>Sessions</h1>
${notice === undefined ? '' : `<p role="status">${escapeHtml(notice)}</p>`}
<form method="get" action=""><label for="user">User (sub or email)</label><input type="text" id="user" name="user" value="${escapeHtml(user ?? '')}"><button class="button" type="submit">Filter</button></form>
<table style="width:100%;font-size:.8rem;text-align:left;margin-top:1rem"><thead><tr><th>User</th><th>Provider</th><th>Signed in</th><th>Refreshed</th><th>Last use</th><th>Expires</th><th>IP</th><th>User agent</th><th></th></tr></thead>
<tbody>
${rows === '' ? '<tr><td colspan="9">No sessions.</td></tr>' : rows}
</tbody></table>
${next}`
  return layout('Sessions: gatehouse admin', body, '').replace('max-width:25rem;background', 'max-width:80rem;background')
}
