import { ContextScanner } from './context.js'
import { TemplateError } from './errors.js'
import { escapeFor } from './escape.js'
import { FUNCS } from './funcs.js'
import type { Arg, Command, ControlNode, Definition, Node, Pipeline } from './nodes.js'
import { isTrue, printValue, SafeHtml, typeName, type Value } from './values.js'

/** Deep enough for any page, shallow enough that a template calling itself stops with an error. */
const MAX_DEPTH = 100

class BreakSignal {}
class ContinueSignal {}

type Vars = Map<string, Value>[]

/** Runs a named template of `defs` on `data`, escaping every value for the HTML context it lands in. */
export function execute(defs: ReadonlyMap<string, Definition>, name: string, data: Value): string {
  const scanner = new ContextScanner()
  let out = ''
  let file = ''
  let depth = 0

  const fail = (line: number, why: string): never => {
    throw new TemplateError(file, line, why)
  }

  function lookupVar(vars: Vars, name: string, line: number): Value {
    for (let i = vars.length - 1; i >= 0; i--) {
      const scope = vars[i]
      if (scope?.has(name) === true) return scope.get(name)
    }
    return fail(line, `undefined variable "${name}"`)
  }

  function setVar(vars: Vars, name: string, value: Value, line: number): void {
    for (let i = vars.length - 1; i >= 0; i--) {
      const scope = vars[i]
      if (scope?.has(name) === true) {
        scope.set(name, value)
        return
      }
    }
    fail(line, `undefined variable "${name}"`)
  }

  function fieldOf(v: Value, chain: readonly string[], line: number): Value {
    let cur = v
    for (const f of chain) {
      if (cur === null || cur === undefined) fail(line, `nil pointer evaluating .${f}`)
      if (typeof cur !== 'object' || Array.isArray(cur) || cur instanceof SafeHtml || !Object.hasOwn(cur as object, f)) {
        fail(line, `can't evaluate field ${f} in type ${typeName(cur)}`)
      }
      cur = (cur as Record<string, Value>)[f]
    }
    return cur
  }

  function evalArg(arg: Arg, dot: Value, vars: Vars): Value {
    switch (arg.kind) {
      case 'field':
        return fieldOf(dot, arg.chain, arg.line)
      case 'var':
        return fieldOf(lookupVar(vars, arg.name, arg.line), arg.chain, arg.line)
      case 'dot':
        return dot
      case 'literal':
        return arg.value
      case 'pipe':
        return fieldOf(evalPipe(arg.pipe, dot, vars, true), arg.chain, arg.line)
      case 'func':
        return fail(arg.line, `can't use function ${arg.name} as a value`)
    }
  }

  function evalCommand(cmd: Command, dot: Value, vars: Vars, piped: { value: Value } | undefined): Value {
    const [head, ...rest] = cmd.args
    if (head === undefined) return fail(cmd.line, 'empty command')
    if (head.kind !== 'func') {
      if (piped !== undefined) fail(cmd.line, `can't give argument to non-function ${printValue(evalArg(head, dot, vars))}`)
      return evalArg(head, dot, vars)
    }
    const args: (() => Value)[] = rest.map((a) => () => evalArg(a, dot, vars))
    if (piped !== undefined) args.push(() => piped.value)
    if (head.name === 'and' || head.name === 'or') {
      if (args.length === 0) fail(cmd.line, `wrong number of args for ${head.name}: want at least 1 got 0`)
      let v: Value = undefined
      for (const a of args) {
        v = a()
        if (isTrue(v) !== (head.name === 'and')) return v
      }
      return v
    }
    const fn = FUNCS[head.name]
    if (fn === undefined) return fail(cmd.line, `function "${head.name}" not defined`)
    try {
      return fn(...args.map((a) => a()))
    } catch (err) {
      if (err instanceof TemplateError) throw err
      return fail(cmd.line, (err as Error).message)
    }
  }

  function evalPipe(pipe: Pipeline, dot: Value, vars: Vars, parenthesized = false): Value {
    let piped: { value: Value } | undefined
    for (const cmd of pipe.cmds) piped = { value: evalCommand(cmd, dot, vars, piped) }
    const value = piped?.value
    if (!parenthesized) {
      pipe.decl.forEach((name) => {
        if (pipe.assign) setVar(vars, name, value, pipe.line)
        else vars[vars.length - 1]?.set(name, value)
      })
    }
    return value
  }

  /** The last function of an action, when it is one of the escapers html/template treats as its own. */
  function finalEscaper(pipe: Pipeline): string | undefined {
    const last = pipe.cmds[pipe.cmds.length - 1]?.args[0]
    return last?.kind === 'func' && (last.name === 'html' || last.name === 'urlquery') ? last.name : undefined
  }

  function write(value: Value, pipe: Pipeline): void {
    const ctx = scanner.ctx
    const esc = finalEscaper(pipe)
    // `{{.X | html}}` in text or an attribute, `{{.X | urlquery}}` in a URL: already escaped, as Go sees it.
    if (esc === 'html' && (ctx.state === 'text' || ctx.state === 'rcdata' || (ctx.state === 'attr' && ctx.attr === 'plain'))) out += printValue(value)
    else if (esc === 'urlquery' && ctx.state === 'attr' && ctx.attr === 'url') out += escapeFor({ state: 'text' }, value)
    else out += escapeFor(ctx, value)
  }

  function run(nodes: readonly Node[], dot: Value, vars: Vars): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += scanner.feed(node.text)
          break
        case 'action': {
          const value = evalPipe(node.pipe, dot, vars)
          if (node.pipe.decl.length === 0) write(value, node.pipe)
          break
        }
        case 'if':
        case 'with': {
          vars.push(new Map())
          const value = evalPipe(node.pipe, dot, vars)
          if (isTrue(value)) run(node.list, node.kind === 'with' ? value : dot, vars)
          else if (node.elseList !== undefined) run(node.elseList, dot, vars)
          vars.pop()
          break
        }
        case 'range':
          runRange(node, dot, vars)
          break
        case 'template': {
          const def = defs.get(node.name)
          if (def === undefined) fail(node.line, `no such template "${node.name}"`)
          const arg = node.pipe === undefined ? undefined : evalPipe(node.pipe, dot, vars)
          call(def as Definition, arg, node.line)
          break
        }
        case 'break':
          throw new BreakSignal()
        case 'continue':
          throw new ContinueSignal()
      }
    }
  }

  function runRange(node: ControlNode, dot: Value, vars: Vars): void {
    vars.push(new Map())
    const { decl } = node.pipe
    const value = evalPipe({ ...node.pipe, decl: [] }, dot, vars)
    let items: [Value, Value][]
    if (Array.isArray(value)) items = value.map((v, i) => [i, v])
    else if (typeof value === 'number' && Number.isInteger(value)) items = Array.from({ length: Math.max(0, value) }, (_, i) => [i, i])
    else if (value !== null && typeof value === 'object' && !(value instanceof SafeHtml)) {
      items = Object.keys(value).sort().map((k) => [k, (value as Record<string, Value>)[k]])
    } else if (value === null || value === undefined) items = []
    else return fail(node.line, `range can't iterate over ${printValue(value)}`)
    if (items.length === 0) {
      if (node.elseList !== undefined) run(node.elseList, dot, vars)
      vars.pop()
      return
    }
    for (const [key, item] of items) {
      const scope = new Map<string, Value>()
      if (decl.length === 1) scope.set(decl[0] ?? '', item)
      if (decl.length === 2) {
        scope.set(decl[0] ?? '', key)
        scope.set(decl[1] ?? '', item)
      }
      vars.push(scope)
      try {
        run(node.list, item, vars)
      } catch (signal) {
        if (signal instanceof BreakSignal) {
          vars.pop()
          break
        }
        if (!(signal instanceof ContinueSignal)) throw signal
      }
      vars.pop()
    }
    vars.pop()
  }

  function call(def: Definition, dot: Value, line: number): void {
    if (++depth > MAX_DEPTH) fail(line, `exceeded maximum template depth (${MAX_DEPTH})`)
    const saved = file
    file = def.file
    run(def.body, dot, [new Map([['$', dot]])])
    file = saved
    depth--
  }

  const root = defs.get(name)
  if (root === undefined) throw new TemplateError(name, 1, `no such template "${name}"`)
  call(root, data, 1)
  return out
}
