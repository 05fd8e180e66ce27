import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { escapeHtml } from '../http/html.js'

/** gatehouse's mark: an arch over a keyhole, drawn inline so the page loads no external asset. */
export const DEFAULT_LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="gatehouse">
<rect x="4" y="4" width="56" height="56" rx="14" fill="#2456d6"/>
<path d="M19 47V30a13 13 0 0 1 26 0v17" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round"/>
<circle cx="32" cy="32" r="4.5" fill="#fff"/><path d="M30 34h4l1.5 9h-7z" fill="#fff"/>
</svg>`

const IMAGE_TYPES: Readonly<Record<string, string>> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' }

/**
 * `--custom-sign-in-logo` as HTML: empty = gatehouse's logo, `-` = none, an http(s) URL = an `<img>` pointing at it,
 * else a file (.svg, .png, .jpg, .jpeg) inlined as a data URI so the page needs no other request.
 * Throws an Error with the reason when the file cannot be used.
 */
export function readLogo(value: string): string {
  if (value === '') return DEFAULT_LOGO
  if (value === '-') return ''
  if (/^https?:\/\//i.test(value)) return `<img src="${escapeHtml(value)}" alt="Logo">`
  const ext = extname(value).toLowerCase()
  const type = IMAGE_TYPES[ext]
  if (type === undefined) throw new Error(`unknown logo type ${JSON.stringify(ext)}: use a .svg, .png, .jpg or .jpeg file, an https:// URL, or "-" for no logo`)
  let bytes: Buffer
  try {
    bytes = readFileSync(value)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new Error(`cannot read the logo file: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`)
  }
  return `<img src="data:${type};base64,${bytes.toString('base64')}" alt="Logo">`
}

/** The start-up check of `--custom-sign-in-logo`: the reason it cannot be used, or undefined. */
export function logoProblem(value: string): string | undefined {
  try {
    readLogo(value)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}
