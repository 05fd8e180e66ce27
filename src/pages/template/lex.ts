import { TemplateError } from './errors.js'

/** One token of a template: literal text, the delimiters of an action, or a word inside one. */
export interface Token {
  kind:
    | 'text' | 'open' | 'close' | 'keyword' | 'ident' | 'field' | 'var' | 'string' | 'number' | 'bool' | 'nil' | 'dot'
    | 'lparen' | 'rparen' | 'pipe' | 'declare' | 'assign' | 'comma'
  value: string
  line: number
  /** Whitespace came right before this token inside the action (so `.A .B` are two arguments, `.A.B` one chain). */
  spaced: boolean
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue'])
const SPACE = /[ \t\r\n]/
const NUMBER = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/

/** Go's unquoting of a double-quoted string literal (the escapes strconv.Unquote knows). */
function unquote(raw: string, fail: (why: string) => never): string {
  let out = ''
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i] ?? ''
    if (c !== '\\') {
      out += c
      continue
    }
    const e = raw[++i] ?? ''
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' }
    if (e in simple) out += simple[e]
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8
      const hex = raw.slice(i + 1, i + 1 + len)
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) fail(`invalid escape \\${e}${hex} in string ${raw}`)
      out += String.fromCodePoint(parseInt(hex, 16))
      i += len
    } else if (/[0-7]/.test(e)) {
      out += String.fromCharCode(parseInt(raw.slice(i, i + 3), 8))
      i += 2
    } else fail(`unknown escape sequence \\${e} in string ${raw}`)
  }
  return out
}

/** Splits a template into tokens, applying the `{{-` / `-}}` trim markers and dropping comment actions. */
export function lex(file: string, src: string): Token[] {
  const tokens: Token[] = []
  let pos = 0
  let line = 1
  let trimNext = false
  const advance = (to: number): void => {
    for (let i = pos; i < to; i++) if (src.charCodeAt(i) === 10) line++
    pos = to
  }

  while (pos < src.length) {
    const open = src.indexOf('{{', pos)
    const end = open === -1 ? src.length : open
    let text = src.slice(pos, end)
    const textLine = line
    advance(end)
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '')
    trimNext = false
    if (open === -1) {
      if (text !== '') tokens.push({ kind: 'text', value: text, line: textLine, spaced: false })
      break
    }
    const trimLeft = src[open + 2] === '-' && SPACE.test(src[open + 3] ?? '')
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '')
    if (text !== '') tokens.push({ kind: 'text', value: text, line: textLine, spaced: false })
    const actionLine = line
    advance(open + 2 + (trimLeft ? 2 : 0))
    const fail: (why: string) => never = (why) => {
      throw new TemplateError(file, line, why)
    }
    // A comment must follow the delimiter (and its trim marker) directly and end right before the closing one.
    if (src.startsWith('/*', pos)) {
      const stop = src.indexOf('*/', pos + 2)
      if (stop === -1) fail('unclosed comment')
      advance(stop + 2)
      if (src.startsWith(' -}}', pos)) {
        trimNext = true
        advance(pos + 4)
      } else if (src.startsWith('}}', pos)) advance(pos + 2)
      else fail('comment ends before closing delimiter')
      continue
    }
    tokens.push({ kind: 'open', value: '{{', line: actionLine, spaced: false })
    let spaced = trimLeft
    for (;;) {
      if (pos >= src.length) fail('unclosed action')
      const c = src[pos] ?? ''
      if (SPACE.test(c)) {
        if (src.startsWith('-}}', pos + 1)) {
          advance(pos + 4)
          trimNext = true
          break
        }
        advance(pos + 1)
        spaced = true
        continue
      }
      if (src.startsWith('}}', pos)) {
        advance(pos + 2)
        break
      }
      const at = line
      const push = (kind: Token['kind'], value: string, length: number): void => {
        tokens.push({ kind, value, line: at, spaced })
        advance(pos + length)
        spaced = false
      }
      const rest = src.slice(pos, pos + 200)
      let m: RegExpExecArray | null
      if (c === '"') {
        m = /^"(?:[^"\\\n]|\\.)*"/.exec(src.slice(pos))
        if (m === null) fail('unterminated quoted string')
        push('string', unquote(m[0], fail), m[0].length)
      } else if (c === '`') {
        const stop = src.indexOf('`', pos + 1)
        if (stop === -1) fail('unterminated raw quoted string')
        push('string', src.slice(pos + 1, stop), stop + 1 - pos)
      } else if (c === "'") {
        m = /^'(?:[^'\\\n]|\\.[^']*)'/.exec(rest)
        if (m === null) fail('unterminated character constant')
        const ch = unquote(`"${m[0].slice(1, -1)}"`, fail)
        push('number', String(ch.codePointAt(0) ?? 0), m[0].length)
      } else if (c === '(') push('lparen', c, 1)
      else if (c === ')') push('rparen', c, 1)
      else if (c === '|') push('pipe', c, 1)
      else if (c === ',') push('comma', c, 1)
      else if (rest.startsWith(':=')) push('declare', ':=', 2)
      else if (c === '=') push('assign', '=', 1)
      else if ((m = /^\$[A-Za-z0-9_]*/.exec(rest)) !== null) push('var', m[0], m[0].length)
      else if ((m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(rest)) !== null) push('field', m[0].slice(1), m[0].length)
      else if ((m = NUMBER.exec(rest)) !== null && !(c === '.' && m[0] === '.')) push('number', m[0], m[0].length)
      else if (c === '.') push('dot', '.', 1)
      else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)) !== null) {
        const word = m[0]
        push(KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'ident', word, word.length)
      } else fail(`unexpected ${JSON.stringify(c)} in command`)
    }
    tokens.push({ kind: 'close', value: '}}', line, spaced: false })
  }
  return tokens
}
