import { TemplateError } from './errors.js'
import { lex, type Token } from './lex.js'
import type { Arg, Command, Definition, Node, Pipeline } from './nodes.js'

/** What one file defines: its top level under the file's name, plus every `{{define}}` and `{{block}}`. */
export interface ParsedFile {
  definitions: Definition[]
}

/** Parses one template file. `funcs` are the names a pipeline may call; any other is an error, as in Go. */
export function parseTemplate(file: string, src: string, funcs: ReadonlySet<string>): ParsedFile {
  const tokens = lex(file, src)
  let i = 0
  const definitions: Definition[] = []
  const scopes: Set<string>[] = [new Set(['$'])]

  const peek = (): Token | undefined => tokens[i]
  const endLine = src.split('\n').length
  const lastLine = (): number => (i >= tokens.length ? endLine : (tokens[tokens.length - 1]?.line ?? 1))
  const fail = (line: number, why: string): never => {
    throw new TemplateError(file, line, why)
  }
  const next = (): Token => {
    const t = tokens[i++]
    if (t === undefined) fail(lastLine(), 'unexpected EOF')
    return t as Token
  }
  const expect = (kind: Token['kind'], context: string): Token => {
    const t = next()
    if (t.kind !== kind) fail(t.line, `unexpected ${describe(t)} in ${context}`)
    return t
  }
  const describe = (t: Token): string => (t.kind === 'close' ? '"}}"' : t.kind === 'string' ? `quoted string ${JSON.stringify(t.value)}` : `"${t.value}"`)
  const declared = (name: string): boolean => scopes.some((s) => s.has(name))

  function chainAfter(): string[] {
    const chain: string[] = []
    while (peek()?.kind === 'field' && peek()?.spaced === false) chain.push(next().value)
    return chain
  }

  function operand(): Arg | undefined {
    const t = peek()
    if (t === undefined) return undefined
    switch (t.kind) {
      case 'field': {
        next()
        return { kind: 'field', chain: [t.value, ...chainAfter()], line: t.line }
      }
      case 'var': {
        next()
        if (!declared(t.value)) fail(t.line, `undefined variable "${t.value}"`)
        return { kind: 'var', name: t.value, chain: chainAfter(), line: t.line }
      }
      case 'dot': {
        next()
        if (peek()?.kind === 'field' && peek()?.spaced === false) fail(t.line, `unexpected . after term "."`)
        return { kind: 'dot', line: t.line }
      }
      case 'ident':
        next()
        if (!funcs.has(t.value)) fail(t.line, `function "${t.value}" not defined`)
        return { kind: 'func', name: t.value, line: t.line }
      case 'string':
        next()
        return { kind: 'literal', value: t.value, line: t.line }
      case 'number': {
        next()
        const n = Number(t.value.replace(/_/g, ''))
        if (!Number.isFinite(n)) fail(t.line, `bad number syntax: "${t.value}"`)
        return { kind: 'literal', value: n, line: t.line }
      }
      case 'bool':
        next()
        return { kind: 'literal', value: t.value === 'true', line: t.line }
      case 'nil':
        next()
        return { kind: 'literal', value: null, line: t.line }
      case 'lparen': {
        next()
        const pipe = pipeline('parenthesized pipeline', 'rparen')
        return { kind: 'pipe', pipe, chain: chainAfter(), line: t.line }
      }
      default:
        return undefined
    }
  }

  function command(context: string, end: Token['kind']): Command {
    const first = peek()
    const args: Arg[] = []
    for (;;) {
      const arg = operand()
      if (arg === undefined) break
      args.push(arg)
    }
    const t = peek()
    if (t === undefined) fail(lastLine(), 'unexpected EOF')
    if (t !== undefined && t.kind !== 'pipe' && t.kind !== end) fail(t.line, `unexpected ${describe(t)} in ${context}`)
    if (args.length === 0) fail(first?.line ?? lastLine(), `missing value for ${context}`)
    const head = args[0]
    if (head !== undefined && head.kind !== 'func' && args.length > 1) {
      fail(head.line, `can't give argument to non-function ${head.kind === 'field' ? `.${head.chain.join('.')}` : head.kind === 'var' ? head.name : 'value'}`)
    }
    return { args, line: first?.line ?? lastLine() }
  }

  function pipeline(context: string, end: Token['kind'] = 'close', allowDecl = false): Pipeline {
    const line = peek()?.line ?? lastLine()
    const decl: string[] = []
    let assign = false
    // `$x :=`, `$x =`, or `$i, $e :=` (range): look ahead without consuming an operand.
    const t0 = tokens[i]
    const t1 = tokens[i + 1]
    if (t0?.kind === 'var' && (t1?.kind === 'declare' || t1?.kind === 'assign' || t1?.kind === 'comma')) {
      if (t1.kind === 'comma') {
        const t2 = tokens[i + 2]
        const t3 = tokens[i + 3]
        if (!allowDecl || t2?.kind !== 'var' || t3?.kind !== 'declare') fail(t1.line, `unexpected "," in ${context}`)
        decl.push(t0.value, (t2 as Token).value)
        i += 4
      } else {
        if (t1.kind === 'assign' && !declared(t0.value)) fail(t0.line, `undefined variable "${t0.value}"`)
        decl.push(t0.value)
        assign = t1.kind === 'assign'
        i += 2
      }
    }
    const cmds: Command[] = []
    for (;;) {
      cmds.push(command(context, end))
      const t = next()
      if (t.kind === end) break
    }
    if (!assign) for (const name of decl) scopes[scopes.length - 1]?.add(name)
    return { decl, assign, cmds, line }
  }

  function templateName(context: string): string {
    const t = next()
    if (t.kind !== 'string') fail(t.line, `unexpected ${describe(t)} in ${context}`)
    return t.value
  }

  /** A list of nodes up to `{{end}}` or `{{else}}`; returns the keyword that ended it. */
  function list(inside: string | undefined, topLevel: boolean): { nodes: Node[]; ended: 'end' | 'else' | 'eof'; elseLine: number } {
    const nodes: Node[] = []
    for (;;) {
      const t = peek()
      if (t === undefined) {
        if (inside !== undefined) fail(lastLine(), `unexpected EOF in ${inside}`)
        return { nodes, ended: 'eof', elseLine: 0 }
      }
      next()
      if (t.kind === 'text') {
        nodes.push({ kind: 'text', text: t.value, line: t.line })
        continue
      }
      const k = peek()
      if (k?.kind !== 'keyword') {
        nodes.push({ kind: 'action', pipe: pipeline('command', 'close', true), line: t.line })
        continue
      }
      next()
      switch (k.value) {
        case 'end':
          if (inside === undefined) fail(k.line, 'unexpected {{end}}')
          expect('close', 'end')
          return { nodes, ended: 'end', elseLine: k.line }
        case 'else':
          if (inside === undefined || inside === 'define' || inside === 'block') fail(k.line, 'unexpected {{else}}')
          return { nodes, ended: 'else', elseLine: k.line }
        case 'if':
        case 'with':
        case 'range':
          nodes.push(control(k.value, k.line))
          break
        case 'template': {
          const name = templateName('template clause')
          const pipe = peek()?.kind === 'close' ? undefined : pipeline('template clause')
          if (pipe === undefined) next()
          nodes.push({ kind: 'template', name, pipe, line: k.line })
          break
        }
        case 'block': {
          const name = templateName('block clause')
          const pipe = pipeline('block clause')
          nodes.push({ kind: 'template', name, pipe, line: k.line })
          define(name, 'block')
          break
        }
        case 'define': {
          if (!topLevel) fail(k.line, 'unexpected <define> in command')
          const name = templateName('define clause')
          expect('close', 'define clause')
          define(name, 'define')
          break
        }
        case 'break':
        case 'continue':
          if (!scopes.some((s) => s.has('#range'))) fail(k.line, `{{${k.value}}} outside {{range}}`)
          expect('close', k.value)
          nodes.push({ kind: k.value, line: k.line })
          break
        default:
          fail(k.line, `unexpected "${k.value}"`)
      }
    }
  }

  function define(name: string, inside: 'define' | 'block'): void {
    const saved = scopes.splice(0)
    scopes.push(new Set(['$']))
    const body = list(inside, false).nodes
    scopes.splice(0, scopes.length, ...saved)
    definitions.push({ name, file, body })
  }

  function control(kind: 'if' | 'with' | 'range', line: number): Node {
    scopes.push(new Set(kind === 'range' ? ['#range'] : []))
    const pipe = pipeline(`${kind}`, 'close', kind === 'range')
    const body = list(kind, false)
    scopes.pop()
    let elseList: Node[] | undefined
    if (body.ended === 'else') {
      const t = peek()
      // `{{else if}}` / `{{else with}}` chain: the rest is one nested node sharing this {{end}}.
      if (t?.kind === 'keyword' && (t.value === 'if' || t.value === 'with')) {
        next()
        elseList = [control(t.value, t.line)]
      } else {
        expect('close', 'else')
        scopes.push(new Set())
        const rest = list(kind, false)
        scopes.pop()
        if (rest.ended === 'else') fail(rest.elseLine, 'expected end; found {{else}}')
        elseList = rest.nodes
      }
    }
    return { kind, pipe, list: body.nodes, elseList, line }
  }

  const top = list(undefined, true).nodes
  // Last, as Go adds a file's top level after its {{define}}s: a blank top level does not replace them (template-set.ts).
  definitions.push({ name: file.replace(/^.*[/\\]/, ''), file, body: top })
  return { definitions }
}
