// Reads HTML forms out of a page the way a browser would submit them: action, method and the
// fields with their current values. Enough for login forms and auto-submitting form_post pages.
import type { FormInput, HttpClient, HttpResponse } from './http.js'

/** One form of a page. */
export interface HtmlForm {
  id: string | undefined
  /** Absolute action URL (the page URL when the form has no action). */
  action: string
  method: 'GET' | 'POST'
  /** Successful controls: named inputs (checked ones for checkboxes and radios), textareas, selects. */
  fields: Record<string, string>
  /** Names of every input, including password and submit controls. */
  inputNames: string[]
  /** Types of the inputs by name (`text`, `password`, `hidden`, ...). */
  inputTypes: Record<string, string>
}

const SKIPPED_TYPES = new Set(['submit', 'button', 'image', 'reset', 'file'])

/** Every form of `html`, with actions resolved against `pageUrl`. */
export function parseForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = []
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = parseAttributes(match[1] ?? '')
    const inner = match[2] ?? ''
    const fields: Record<string, string> = {}
    const inputNames: string[] = []
    const inputTypes: Record<string, string> = {}
    for (const input of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const a = parseAttributes(input[1] ?? '')
      const name = a.name
      if (name === undefined) continue
      const type = (a.type ?? 'text').toLowerCase()
      inputNames.push(name)
      inputTypes[name] = type
      if (SKIPPED_TYPES.has(type)) continue
      if ((type === 'checkbox' || type === 'radio') && a.checked === undefined) continue
      fields[name] = a.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')
    }
    for (const area of inner.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
      const name = parseAttributes(area[1] ?? '').name
      if (name !== undefined) fields[name] = decodeEntities(area[2] ?? '')
    }
    for (const select of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = parseAttributes(select[1] ?? '').name
      if (name === undefined) continue
      const options = [...(select[2] ?? '').matchAll(/<option\b([^>]*)>([\s\S]*?)(?=<option\b|$)/gi)]
      const chosen = options.find((o) => parseAttributes(o[1] ?? '').selected !== undefined) ?? options[0]
      if (chosen !== undefined) {
        const value = parseAttributes(chosen[1] ?? '').value
        fields[name] = value ?? decodeEntities((chosen[2] ?? '').replace(/<\/option>[\s\S]*$/i, '').trim())
      }
    }
    forms.push({
      id: attrs.id,
      action: new URL(attrs.action ?? '', pageUrl).href,
      method: (attrs.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET',
      fields,
      inputNames,
      inputTypes,
    })
  }
  return forms
}

/** The first form of the page that has a password input, if any. */
export function findPasswordForm(res: HttpResponse): HtmlForm | undefined {
  return parseForms(res.body, res.url).find((f) => Object.values(f.inputTypes).includes('password'))
}

/** Submits `form` with `overrides` layered over its fields; GET forms put the fields in the query. */
export async function submitForm(client: HttpClient, form: HtmlForm, overrides: Record<string, string> = {}): Promise<HttpResponse> {
  const data: FormInput = { ...form.fields, ...overrides }
  if (form.method === 'POST') return client.post(form.action, data)
  const url = new URL(form.action)
  url.search = new URLSearchParams(data).toString()
  return client.get(url)
}

/** Parses tag attributes; names are lower-cased, values entity-decoded, bare attributes map to ''. */
export function parseAttributes(source: string): Record<string, string | undefined> {
  const attrs: Record<string, string | undefined> = {}
  for (const m of source.matchAll(/([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g)) {
    const name = (m[1] ?? '').toLowerCase()
    const value = m[2] ?? m[3] ?? m[4]
    attrs[name] = value === undefined ? '' : decodeEntities(value)
  }
  return attrs
}

/** Decodes the HTML character references pages here use (named basics and numeric ones). */
export function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10)
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole
    }
    return named[ref.toLowerCase()] ?? whole
  })
}
