/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
}

// Colours meet WCAG AA in both schemes (4.5:1 for text, 3:1 for field borders); focus rings are visible on every control.
const STYLE = `
:root{color-scheme:light dark;--bg:#eef1f6;--card:#fff;--fg:#1b2130;--muted:#586175;--accent:#2456d6;--accent-hover:#1b45b0;--accent-fg:#fff;--border:#d5dae3;--field:#fff;--field-border:#8a93a5;--danger:#b42318}
@media (prefers-color-scheme:dark){:root{--bg:#12151b;--card:#1b1f27;--fg:#e8ebf1;--muted:#a6aebd;--accent:#7aa0ff;--accent-hover:#9ab7ff;--accent-fg:#0b1020;--border:#343b4a;--field:#12151b;--field-border:#6b7385;--danger:#ff8a80}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:1.25rem;padding:1.5rem 1rem;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{width:100%;max-width:25rem;background:var(--card);border:1px solid var(--border);border-radius:14px;padding:2.25rem 2rem 2rem;box-shadow:0 1px 2px rgba(16,24,40,.05),0 8px 24px rgba(16,24,40,.08);text-align:center}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 .5rem;font-weight:650}
p{margin:.5rem 0;color:var(--muted)}
a{color:var(--accent)}
.logo{display:flex;justify-content:center;margin:0 0 1.25rem}
.logo img,.logo svg{display:block;max-width:100%;max-height:4.5rem;height:auto}
.banner{margin-bottom:.25rem}
form{margin:0}
.button{display:block;width:100%;margin-top:1.25rem;padding:.7rem 1rem;border:1px solid var(--accent);border-radius:8px;background:var(--accent);color:var(--accent-fg);font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}
.button:hover{background:var(--accent-hover);border-color:var(--accent-hover)}
.button.secondary{background:transparent;color:var(--accent);border-color:var(--border)}
.button.secondary:hover{border-color:var(--accent)}
.button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.divider{display:flex;align-items:center;gap:.75rem;margin:1.5rem 0 .25rem;color:var(--muted);font-size:.85rem}
.divider::before,.divider::after{content:"";flex:1;border-top:1px solid var(--border)}
.login{text-align:left}
label{display:block;margin:.9rem 0 .3rem;font-size:.9rem;font-weight:600}
input[type=text],input[type=password]{display:block;width:100%;padding:.6rem .75rem;border:1px solid var(--field-border);border-radius:8px;background:var(--field);color:var(--fg);font:inherit}
.status{font-size:3.25rem;line-height:1;font-weight:750;letter-spacing:-.02em;margin:0 0 .5rem;color:var(--accent)}
.status.server{color:var(--danger)}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
.actions .button{margin-top:0}
.debug{text-align:left;font:.8rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg);border-radius:6px;padding:.5rem .75rem;word-break:break-all}
.meta{font-size:.75rem;margin-top:1.5rem;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
footer{font-size:.8rem;color:var(--muted);text-align:center;max-width:25rem}
footer p{margin:0}
@media (max-width:30rem){main{padding:1.75rem 1.25rem 1.5rem;border-radius:10px}.actions{flex-direction:column}}`


/** Wraps page content in the shared, self-contained layout (inline CSS, no external assets). */
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
${footer === '' ? '' : `<footer><p>${footer}</p></footer>`}
</body>
</html>
`
}
