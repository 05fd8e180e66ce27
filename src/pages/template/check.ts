import { TemplateError } from './errors.js'
import type { Arg, Definition, Node, Pipeline } from './nodes.js'

/** The static shape of template data: which fields exist and what they hold. */
export type Shape =
  | { kind: 'struct'; name: string; fields: Readonly<Record<string, Shape>> }
  | { kind: 'string' | 'int' | 'bool' | 'html' | 'any' }

const ANY: Shape = { kind: 'any' }
const TYPE_NAMES: Record<string, string> = { string: 'string', int: 'int', bool: 'bool', html: 'template.HTML' }

/**
 * Checks every field a template names against the data it will get, through `with`, `range`, variables and
 * `{{template}}` calls, so a misspelt field stops start-up instead of breaking a page at the first request.
 */
export function checkFields(defs: ReadonlyMap<string, Definition>, name: string, root: Shape): void {
  const checked = new Set<string>()

  function visit(def: Definition, dot: Shape): void {
    const key = `${def.name}\0${dot.kind === 'struct' ? dot.name : dot.kind}`
    if (checked.has(key)) return
    checked.add(key)
    const fail = (line: number, why: string): never => {
      throw new TemplateError(def.file, line, why)
    }
    const scopes: Map<string, Shape>[] = [new Map([['$', dot]])]

    function resolve(shape: Shape, chain: readonly string[], line: number): Shape {
      let cur = shape
      for (const f of chain) {
        if (cur.kind === 'any') return ANY
        if (cur.kind !== 'struct') return fail(line, `can't evaluate field ${f} in type ${TYPE_NAMES[cur.kind] ?? cur.kind}`)
        const next = cur.fields[f]
        if (next === undefined) return fail(line, `can't evaluate field ${f} in type ${cur.name} (its fields: ${Object.keys(cur.fields).join(', ')})`)
        cur = next
      }
      return cur
    }

    function lookup(name: string): Shape {
      for (let i = scopes.length - 1; i >= 0; i--) {
        const s = scopes[i]?.get(name)
        if (s !== undefined) return s
      }
      return ANY
    }

    function arg(a: Arg, dotShape: Shape): Shape {
      switch (a.kind) {
        case 'field':
          return resolve(dotShape, a.chain, a.line)
        case 'var':
          return resolve(lookup(a.name), a.chain, a.line)
        case 'dot':
          return dotShape
        case 'pipe':
          return resolve(pipe(a.pipe, dotShape), a.chain, a.line)
        case 'literal':
          return typeof a.value === 'string' ? { kind: 'string' } : typeof a.value === 'boolean' ? { kind: 'bool' } : typeof a.value === 'number' ? { kind: 'int' } : ANY
        case 'func':
          return ANY
      }
    }

    function pipe(p: Pipeline, dotShape: Shape): Shape {
      let shape: Shape = ANY
      for (const cmd of p.cmds) {
        const shapes = cmd.args.map((a) => arg(a, dotShape))
        shape = cmd.args[0]?.kind === 'func' ? ANY : (shapes[0] ?? ANY)
      }
      for (const name of p.decl) scopes[scopes.length - 1]?.set(name, p.decl.length === 1 ? shape : ANY)
      return shape
    }

    function list(nodes: readonly Node[], dotShape: Shape): void {
      for (const node of nodes) {
        switch (node.kind) {
          case 'action':
            pipe(node.pipe, dotShape)
            break
          case 'if':
          case 'with':
          case 'range': {
            scopes.push(new Map())
            const shape = pipe(node.pipe, dotShape)
            if (node.kind === 'range' && shape.kind !== 'any' && shape.kind !== 'int') {
              fail(node.line, `range can't iterate over a value of type ${shape.kind === 'struct' ? shape.name : (TYPE_NAMES[shape.kind] ?? shape.kind)}`)
            }
            list(node.list, node.kind === 'with' ? shape : node.kind === 'range' ? ANY : dotShape)
            if (node.elseList !== undefined) list(node.elseList, dotShape)
            scopes.pop()
            break
          }
          case 'template': {
            const target = defs.get(node.name)
            if (target === undefined) fail(node.line, `no such template "${node.name}"`)
            visit(target as Definition, node.pipe === undefined ? ANY : pipe(node.pipe, dotShape))
            break
          }
          default:
            break
        }
      }
    }

    list(def.body, dot)
  }

  const def = defs.get(name)
  if (def === undefined) throw new TemplateError(name, 1, `no such template "${name}"`)
  visit(def, root)
}
