/**
 * Where in an HTML document the next byte goes, the way Go's html/template tracks it to pick an escaper.
 * Only the template's literal text moves the state; escaped values cannot leave the context they are in.
 */
export type AttrType = 'plain' | 'url' | 'srcset' | 'js' | 'css'

export type HtmlContext =
  | { state: 'text' }
  | { state: 'rcdata' }
  | { state: 'comment' }
  | { state: 'tag' }
  | { state: 'attrName'; attr: AttrType }
  | { state: 'afterName'; attr: AttrType }
  | { state: 'beforeValue'; attr: AttrType }
  | { state: 'attr'; attr: AttrType; delim: '"' | "'" | ''; urlPart: 'start' | 'path' | 'query'; jsQuote: '' | '"' | "'" | '`' }
  | { state: 'script'; jsQuote: '' | '"' | "'" | '`' }
  | { state: 'style' }

const URL_ATTRS = new Set([
  'action', 'archive', 'background', 'cite', 'classid', 'codebase', 'data', 'formaction', 'href', 'icon', 'longdesc',
  'manifest', 'poster', 'profile', 'src', 'usemap', 'xmlns',
])

/** The kind of content an attribute holds (Go's attrType): URLs, script, style or plain text. */
export function attrType(rawName: string): AttrType {
  let name = rawName.toLowerCase()
  const colon = name.indexOf(':')
  if (colon >= 0) name = name.slice(colon + 1)
  if (name.startsWith('data-')) name = name.slice(5)
  if (name.startsWith('on')) return 'js'
  if (name === 'style') return 'css'
  if (name === 'srcset') return 'srcset'
  if (URL_ATTRS.has(name) || name.includes('src') || name.includes('uri') || name.includes('url')) return 'url'
  return 'plain'
}

const SPACE = /[ \t\n\f\r]/

/** Tracks the context across the literal text of a template as it is written out. */
export class ContextScanner {
  ctx: HtmlContext = { state: 'text' }
  /** The element whose raw text we are in (script, style, title, textarea). */
  private element = ''
  private tagName = ''
  private attrName = ''
  /** Inside a JavaScript comment of a script element, which html/template leaves out of the page. */
  private jsComment: '' | 'line' | 'block' = ''

  /** Moves the state over `text` and returns it with HTML comments removed, as html/template does. */
  feed(text: string): string {
    let out = ''
    let i = 0
    while (i < text.length) {
      const c = text[i] ?? ''
      const ctx = this.ctx
      switch (ctx.state) {
        case 'text':
          if (text.startsWith('<!--', i)) {
            this.ctx = { state: 'comment' }
            i += 4
            continue
          }
          if (c === '<') {
            const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(text.slice(i, i + 40))
            if (m !== null) {
              this.tagName = m[1] === '/' ? '' : (m[2] ?? '').toLowerCase()
              this.ctx = { state: 'tag' }
              out += m[0]
              i += m[0].length
              continue
            }
          }
          break
        case 'comment': {
          const stop = text.indexOf('-->', i)
          if (stop === -1) return out
          this.ctx = { state: 'text' }
          i = stop + 3
          continue
        }
        case 'rcdata':
        case 'style':
        case 'script': {
          if (ctx.state === 'script' && this.jsComment !== '') {
            const close = this.jsComment === 'line' ? /\n/.exec(text.slice(i)) : /\*\//.exec(text.slice(i))
            if (close === null) return out
            // A line comment's newline stays; a block comment goes entirely (Go writes nothing for either).
            i += close.index + (this.jsComment === 'block' ? 2 : 0)
            this.jsComment = ''
            continue
          }
          if (ctx.state === 'script' && ctx.jsQuote === '' && (text.startsWith('//', i) || text.startsWith('/*', i))) {
            this.jsComment = text[i + 1] === '/' ? 'line' : 'block'
            i += 2
            continue
          }
          if (ctx.state === 'script' && ctx.jsQuote !== '') {
            if (c === '\\') {
              out += text.slice(i, i + 2)
              i += 2
              continue
            }
            if (c === ctx.jsQuote) this.ctx = { state: 'script', jsQuote: '' }
          } else if (text.slice(i, i + 2 + this.element.length).toLowerCase() === `</${this.element}`) {
            this.ctx = { state: 'tag' }
            this.tagName = ''
            out += text.slice(i, i + 2 + this.element.length)
            i += 2 + this.element.length
            continue
          } else if (ctx.state === 'script' && (c === '"' || c === "'" || c === '`')) this.ctx = { state: 'script', jsQuote: c }
          break
        }
        case 'tag':
          if (c === '>') this.endTag()
          else if (!SPACE.test(c) && c !== '/') {
            const m = /^[^\s"'<>/=]+/.exec(text.slice(i))
            this.attrName = m?.[0] ?? c
            this.ctx = { state: 'attrName', attr: attrType(this.attrName) }
            out += this.attrName
            i += this.attrName.length
            continue
          }
          break
        case 'attrName':
        case 'afterName':
          if (c === '=') this.ctx = { state: 'beforeValue', attr: ctx.attr }
          else if (c === '>') this.endTag()
          else if (SPACE.test(c)) this.ctx = { state: 'afterName', attr: ctx.attr }
          else if (ctx.state === 'afterName') {
            this.ctx = { state: 'tag' }
            continue
          }
          break
        case 'beforeValue':
          if (SPACE.test(c)) break
          if (c === '>') {
            this.endTag()
            break
          }
          this.ctx = { state: 'attr', attr: ctx.attr, delim: c === '"' || c === "'" ? c : '', urlPart: 'start', jsQuote: '' }
          if (c === '"' || c === "'") break
          continue
        case 'attr': {
          const ends = ctx.delim === '' ? SPACE.test(c) || c === '>' : c === ctx.delim
          if (ends) {
            if (c === '>') this.endTag()
            else this.ctx = { state: 'tag' }
            break
          }
          if (ctx.attr === 'url') {
            const urlPart = c === '?' || c === '#' || ctx.urlPart === 'query' ? 'query' : 'path'
            this.ctx = { ...ctx, urlPart }
          } else if (ctx.attr === 'js') {
            if (ctx.jsQuote === '' && (c === '"' || c === "'" || c === '`')) this.ctx = { ...ctx, jsQuote: c }
            else if (ctx.jsQuote !== '' && c === ctx.jsQuote) this.ctx = { ...ctx, jsQuote: '' }
          }
          break
        }
      }
      out += c
      i++
    }
    return out
  }

  private endTag(): void {
    const name = this.tagName
    this.tagName = ''
    if (name === 'script') {
      this.element = name
      this.ctx = { state: 'script', jsQuote: '' }
    } else if (name === 'style') {
      this.element = name
      this.ctx = { state: 'style' }
    } else if (name === 'title' || name === 'textarea') {
      this.element = name
      this.ctx = { state: 'rcdata' }
    } else this.ctx = { state: 'text' }
  }
}
