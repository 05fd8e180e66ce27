import { checkFields, type Shape } from './check.js'
import { execute } from './exec.js'
import { FUNC_NAMES } from './funcs.js'
import type { Definition, Node } from './nodes.js'
import { parseTemplate } from './parse.js'
import type { Value } from './values.js'

/** Templates parsed together, so one file may call what another defines (as Go's template.ParseFiles). */
export interface TemplateSet {
  has(name: string): boolean
  /** Throws a TemplateError naming file and line when a template names a field `shape` does not have. */
  check(name: string, shape: Shape): void
  render(name: string, data: Value): string
}

/** A definition whose body is only white space does not replace an existing one (Go's rule for `{{define}}` files). */
function isBlank(body: readonly Node[]): boolean {
  return body.every((n) => n.kind === 'text' && n.text.trim() === '')
}

/** Parses `files` (name and text each); throws a TemplateError on the first syntax error. */
export function createTemplateSet(files: readonly { file: string; text: string }[]): TemplateSet {
  const defs = new Map<string, Definition>()
  for (const { file, text } of files) {
    for (const def of parseTemplate(file, text, FUNC_NAMES).definitions) {
      if (defs.has(def.name) && isBlank(def.body)) continue
      defs.set(def.name, def)
    }
  }
  return {
    has: (name) => defs.has(name),
    check: (name, shape) => checkFields(defs, name, shape),
    render: (name, data) => execute(defs, name, data),
  }
}
