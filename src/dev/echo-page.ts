import { escapeHtml } from '../http/html.js'
import type { EchoReply } from './echo-reply.js'

/** Longest header value shown in full; tokens beyond that are cut so the page stays readable. */
const SHOWN_VALUE_CHARS = 240

/** The demo's landing page: what the upstream received, proxy and identity headers first. */
export function renderEchoPage(reply: EchoReply): string {
  const rank = (name: string): number => {
    const lower = name.toLowerCase()
    if (lower.startsWith('x-auth-request-')) return 0
    if (lower.startsWith('x-forwarded-')) return 1
    if (lower === 'authorization' || lower === 'gap-auth') return 2
    return 3
  }
  const rows = [...reply.rawHeaders]
    .map(([name, value], index) => ({ name, value, index }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.index - b.index)
  const identity = rows.filter((row) => rank(row.name) < 3)
  const others = rows.filter((row) => rank(row.name) === 3)
  const table = (list: typeof rows): string =>
    list.length === 0
      ? '<p class="empty">none</p>'
      : `<table>${list.map((row) => `<tr><th>${escapeHtml(row.name)}</th><td>${escapeHtml(shorten(row.value))}</td></tr>`).join('')}</table>`
  const user = reply.headers['x-auth-request-email'] ?? reply.headers['x-forwarded-email'] ?? reply.headers['x-auth-request-user'] ?? reply.headers['x-forwarded-user']
  const who = typeof user === 'string' && user !== '' ? `Signed in as <strong>${escapeHtml(user)}</strong>` : 'No identity headers were received'
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Echo upstream</title>
<style>
:root{color-scheme:light dark}body{margin:0;padding:2rem 1rem;font:15px/1.5 system-ui,sans-serif;background:Canvas;color:CanvasText}
main{max-width:60rem;margin:0 auto}h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .6rem;border-bottom:1px solid color-mix(in srgb,CanvasText 15%,transparent)}
th{white-space:nowrap;font-weight:600;width:1%}td{font-family:ui-monospace,monospace;word-break:break-all}.empty,.meta{opacity:.7}
a{color:LinkText}
</style>
</head>
<body>
<main>
<h1>Echo upstream</h1>
<p>${who}. <a href="/oauth2/sign_out">Sign out</a></p>
<p class="meta">${escapeHtml(reply.method)} ${escapeHtml(reply.path)}${reply.rawQuery === '' ? '' : `?${escapeHtml(reply.rawQuery)}`} from ${escapeHtml(reply.remoteAddress)}</p>
<h2>Identity and proxy headers</h2>
${table(identity)}
<h2>Other request headers</h2>
${table(others)}
</main>
</body>
</html>
`
}

function shorten(value: string): string {
  return value.length <= SHOWN_VALUE_CHARS ? value : `${value.slice(0, SHOWN_VALUE_CHARS)}… (${value.length} characters)`
}
