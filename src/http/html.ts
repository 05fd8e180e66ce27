/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--fg:#1d2330;--muted:#5b6475;--accent:#2456d6;--accent-fg:#fff;--border:#d8dce4}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--card:#1d2129;--fg:#e8ebf1;--muted:#a3abbb;--accent:#6f97ff;--accent-fg:#0b1020;--border:#323847}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:1rem}
main{width:100%;max-width:26rem;background:var(--card);border:1px solid var(--border);border-radius:12px;padding:2rem;box-shadow:0 2px 12px rgba(0,0,0,.06)}
h1{font-size:1.35rem;margin:0 0 .75rem}p{margin:.5rem 0;color:var(--muted)}
.button{display:block;width:100%;margin-top:1.25rem;padding:.75rem 1rem;border:0;border-radius:8px;background:var(--accent);color:var(--accent-fg);font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}
.button.secondary{background:transparent;color:var(--accent);border:1px solid var(--border)}
.button:focus-visible{outline:3px solid var(--fg);outline-offset:2px}
.status{font-size:2.5rem;font-weight:700;margin:0;color:var(--accent)}
.meta{font-size:.8rem;color:var(--muted);margin-top:1.25rem;word-break:break-all}
footer{margin-top:1.25rem;font-size:.8rem;color:var(--muted);text-align:center}
.logo{display:block;max-width:100%;max-height:5rem;margin:0 auto 1rem}`

/** Wraps page content in the shared, self-contained layout (no external assets). */
export function layout(title: string, body: string, footer: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
${footer === '' ? '' : `<footer>${footer}</footer>`}
</body>
</html>
`
}
